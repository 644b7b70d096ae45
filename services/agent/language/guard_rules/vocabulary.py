"""Word lists the guard's rules share: treatments, symptoms, drugs, conditions, spa concerns.

Lists are plain '|'-separated strings (regex fragments, lower case) so a reader can scan and extend
them; `alt()` turns one into a group. They describe how clients write, not any data set's phrasing.
"""

from __future__ import annotations

from .rule import alt

# Skin conditions as clients spell them: "excema", "ecsema", "psoriaisis", "rosacia".
# Eczema and psoriasis are conditions as well; rosacea is only a concern the spa treats.
_ECZEMA_PSORIASIS = r"e[ckgxz]{1,2}s?[ckgxz]?[ei]?ma|ps[aeo]r[aeiy]{1,3}s[aeiy]s|s[aeo]r[aeiy]{1,3}s[aeiy]s"
_SKIN_SPELLINGS = _ECZEMA_PSORIASIS + r"|ros+[aei][cs]+[eiy]{0,2}a"

# What a med spa does to a client: the "after my ..." of a post-treatment symptom.
TREATMENT = alt(
    r"botox|tox|neurotoxin|dysport|xeomin|jeuveau|daxxify|fillers?|filler injections?|juvederm|"
    r"restylane|rha|radiesse|tear troughs?|under ?eye filler|sculptra|kybella|lip flip|flip|lip injections?|"
    r"injections?|injectables?|"
    # a vaccine's shot is not the spa's: "after my covid shot my arm swelled"
    r"(?<!covid )(?<!flu )(?<!tetanus )(?<!booster )(?<!vaccine )shots?|"
    r"needles?|laser|lasers|ipl|bbl|photofacial|peel|peels|chemical peel|microneedling|"
    r"morpheus8?|rf microneedling|hydrafacial|facial|facials|coolsculpting|cryo\w*|dermaplaning|prp|"
    r"prf|vampire facial|hair removal|electrolysis|tattoo removal|threads?|thread lift|pdo|wax|waxing|"
    r"lash lift|lash extensions?|lashes|brow lamination|brow tint|dermaplan\w*|iv|iv drip|drip|b12|"
    r"treatments?|procedures?|sessions?|appointments?|appt|visit|injector|tech"
)
# What a client notices on their body; used only next to a treatment, a first person or a question.
SYMPTOM = alt(
    r"swelling|swollen|swelled|swell|swells|red (?:dots|spots|patches|streaks)|cough\w*|nose ?bleeds?|"
    r"tremors?|puffy|puffiness|bruis\w*|"
    r"rash\w*|itch\w*|hives|welts?|blister\w*|"
    r"numb|numbness|numbed|tingl\w*|droop\w*|lump\w*|bumps?|bumpy|nodules?|knots?|hard spots?|pus|ooz\w*|"
    r"weeping|crust\w*|scab\w*|bleed\w*|burn|burns|burned|burnt|burning|fever|chills|headaches?|"
    r"migraines?|nause\w*|vomit\w*|throwing up|threw up|dizz\w*|infect\w*|inflam\w*|"
    r"pain|painful|hurts?|hurting|aches?|aching|sore|soreness|tender\w*|throb\w*|stinging|stings|sting|"
    r"peeling|lopsided|(?:hot|warm) (?:to (?:the )?touch|when (?:i|you|she|he) touch\w*)|spreading|"
    r"raw skin|blotch\w*|on fire|"
    r"fatigue|tiredness|exhaustion|discharge|migr[ae]{1,2}i?ne?s?|discomfort|clammy|light-?headed|"
    r"light headed|woozy|shaky"
)
# Drugs and products clients take, by the names they use.
DRUG = alt(
    r"antibiotics?|antidepressants?|antihistamines?|blood thinners?|steroids?|prednis\w*|cortisone|"
    r"hormones?|hrt|estrogen|testosterone|progesterone|chemo\w*|radiation|immunotherap\w*|insulin|"
    r"ac+u?tane?|ac+utain|ozem\w*|wegov\w*|mou?njar\w*|semaglu\w*|tirzep\w*|"
    r"isotretinoin|tretinoin|tret|retin[- ]a|spir\w{0,3}lact\w*|warfarin|coumadin|eliquis|xarelto|"
    r"plavix|heparin|lovenox|aspirin|ibupro\w*|advil|motrin|aleve|naproxen|tylen[aeo]l|acetaminophen|"
    r"paracetamol|benadr\w*|zyrtec|claritin|allegra|metformin|zepbound|"
    r"sema|tirz|glp-?1|cipro|keflex|flagyl|bactrim|augmentin|diflucan|"
    r"tamiflu|paxlovid|lexapro|zoloft|prozac|wellbutrin|xan[ae]x|adderall|synthroid|"
    r"levothyroxine|lisin\w*pril|valtrex|valacyclovir|acyclovir|doxycycline|minocycline|humira|enbrel|"
    r"methotrexate|biologics?|birth control|the pill|plan b|fish oil|vitamin [a-z]\d*|vitamins?|"
    r"supplements?|arnica|ginkgo|turmeric|melatonin|iron pills?|tramadol|oxy(?!gen)\w*|percocet|vicodin|"
    r"hydrocodone|codeine|morphine|opioids?|vaccin\w*|immuni[sz]ations?|flu shot|covid shot|covid booster|"
    r"z-?pack|neosporin|zinc|magnesium|probiotics?|biotin|elderberry|echinacea|"
    r"hydrocortisone|antibiotic (?:cream|ointment)|"
    # over the counter, weight loss, hair and sleep; stems take the misspellings clients type
    r"tums|pepto(?:[- ]bismol)?|imodium|miralax|dulcolax|gas-?x|nyquil|dayquil|mucinex|sudafed|excedrin|"
    r"midol|monistat|phenter\w*|gabap\w*|trazod\w*|finaster\w*|minoxid\w*|topiramate|contrave|saxenda|"
    r"rybelsus|trulicity|victoza|naltrexone|ashwagandha|sertral\w*|amox\w*|metronid\w*|liraglut\w*|"
    r"dulaglut\w*|exenat\w*|"
    # powders and gym supplements: "started the collagen powder", "my pre workout"
    r"collagen (?:powder|peptides|supplements?|gummies|pills|drinks?)|protein (?:powder|shakes?)|"
    r"pre-? ?workout|creatine|fat burners?|diet pills?|laxatives?|electrolytes?"
)


def _by_first_letter(words: str) -> str:
    """A '|'-separated list of plain words as one group, its words gathered under their first letter:
    the regex engine then tries one branch per letter instead of one per word."""
    groups: dict[str, list[str]] = {}
    for word in sorted({w.strip() for w in words.split("|") if w.strip()}):
        groups.setdefault(word[0], []).append(word[1:])
    return "(?:" + "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items()) + ")"


# Brand names doctors prescribe most, which no ending gives away (heart, water, stomach, sleep, mood,
# pain, breathing, sugar, skin): a long list, so only the medication rule and the model's veto read it.
DRUG_BRAND = _by_first_letter(
    "norvasc|lasix|bumex|aldactone|coreg|toprol|lopressor|tenormin|cozaar|diovan|benicar|zestril|"
    "lipitor|crestor|zocor|nexium|prilosec|protonix|pepcid|zantac|zofran|reglan|phenergan|compazine|"
    "ambien|lunesta|seroquel|abilify|lamictal|depakote|topamax|keppra|neurontin|lyrica|cymbalta|"
    "effexor|celexa|paxil|buspar|klonopin|ativan|valium|ritalin|vyvanse|concerta|strattera|"
    "flexeril|robaxin|mobic|celebrex|toradol|ultram|dilaudid|suboxone|narcan|epipen|singulair|"
    "flonase|nasacort|ventolin|proair|albuterol|advair|symbicort|jardiance|farxiga|januvia|lantus|"
    "humalog|premarin|estrace|provera|clomid|femara|tamoxifen|flomax|cialis|viagra|plaquenil|"
    "dupixent|otezla|stelara|skyrizi|cosentyx|medrol|zovirax|abreva|delsym|robitussin|nipride"
)
# Drug names by their ending (-cillin, -statin...), endings no street, salon or first name carries.
DRUG_SHAPE = (
    r"\b[a-z]{3,}(?:cillin|mycin|cycline|floxacin|prazole|sartan|olol|dipine|statin|formin|gliptin|"
    r"triptan|setron|xaban|gatran|zumab|ximab|mumab|tinib|navir|ciclovir|azepam|zolam|oxetine|"
    r"pramine|triptyline|lukast|dronate|profen|codone|morphone|thiazide|semide|barbital|parin|"
    # "lisinopril", "fluconazole", "dupilumab", "methadone", "famotidine", "tadalafil", "albuterol",
    # "prednisone", "quetiapine", "cetirizine": no treatment the spa sells ends so (its own GLP-1s,
    # semaglutide and tirzepatide, are named in DRUG, where a price question about them is a booking)
    r"pril|azole|mab|adone|idone|tidine|afil|terol|tropium|asone|isone|olone|"
    r"cyclovir|apine|irizine|oxyzine|thazine|omazine)\b"
)
# How a test came back: "came back a little high".
_RESULT = r"(?:positive|negative|abnormal|elevated|high|low)"
# Illnesses and body conditions clients name.
CONDITION = alt(
    r"pink eye|disease|diseases|disorder|disorders|syndrome|infection|infections|infected|cancer|tumou?rs?|"
    r"diabet\w*|autoimmune|lupus|herpes|cold sores?|fever blisters?|shingles|keloids?|epilep\w*|"
    r"seizures?|hepatitis|hiv|(?<!hearing )aids|arthritis|asthma|copd|migraines?|hypertension|"
    r"high blood pressure|ostomy|colostomy|ileostomy|stoma|"
    r"low blood pressure|blood pressure|heart (?:condition|disease|problems?|failure|murmur)|stroke|"
    r"thyroid|kidney|liver(?! spots?)|bleeding disorder|blood clots?|anemi\w*|pacemaker|breast implants?|"
    r"neuropathy|myasthenia|bell'?s palsy|(?<!cerebral )palsy|glaucoma|depression|anxiety disorder|bipolar|"
    r"schizo\w*|adhd|multiple sclerosis|parkinson'?s?|alzheimer'?s?|dementia|pcos|endometriosis|fibroids?|"
    r"fibromyalgia|sepsis|pneumonia|covid|flu|strep|utis?|std|sti|lice|scabies|mrsa|staph|ulcers?|"
    r"cysts?|moles?|growths?|lesions?|tumou?r|obes\w*|menopause|perimenopause|"
    r"eczema|psoriasis|dermatitis|vitiligo|lichen planus|hidradenitis|impetigo|ringworm|fungal|fungus|"
    r"skin tags?|warts?|"
    r"surgery|surgeries|transplant\w*|"
    r"crohn'?s?|chemotherapy|pregnan\w*|miscarriage|postpartum|ivf|fertility|(?<!surgical )rhinoplasty|"
    r"hashimoto'?s?|"
    r"graves'? disease|tmj|"
    r"dry eyes?|sunburn\w*|c-? ?sections?|nose job|metal (?:plate|implant|rod)s?|iud|"
    r"varicose veins?|bulging veins?|celiac|coeliac|gluten intolerance|dialysis|sickle cell|"
    r"cystic fibrosis|lyme|raynaud'?s|sjogren'?s|scleroderma|gastroparesis|mcas|eating disorders?|"
    r"anorexi\w*|bulimi\w*|have (?:ms|ra|als|cf|pots|eds)|has (?:ms|ra|als|cf|pots|eds)|"
    r"with (?:ms|ra|als|cf|pots|eds)|"
    r"dental work|dental (?:cleaning|procedures?|implants?|surgery)|"
    r"teeth cleaning|poison (?:ivy|oak)|"
    r"root canal|face ?lift|tummy tuck|liposuction|blepharoplasty|eyelid surgery|"
    r"hep [abc]|dehydrat\w*|piercings?|new tattoo|fresh tattoo|anxiety|panic attacks?|colds|pap smears?|"
    r"mammograms?|std tests?|concussions?|fractures?|"
    r"sprain\w*|food poisoning|tetanus|measles|chicken ?pox|croup|rsv|"
    r"heart rate|resting pulse|oxygen levels?|a1c|insomnia|can'?t sleep|trouble sleeping|acid reflux|"
    r"styes?|chalazion|boils?|abscess\w*|low iron|iron deficiency|\w+ deficiency|deficient|ptsd|"
    r"ibs|ibd|gerd|ocd|hpv|hsv|cfs|ckd|"
    r"chf|dvt|tbi|sids|aneurysms?|syphilis|"
    r"gonorrh\w*|chlamydia|hernias?|gout|vertigo|tinnitus|insomnia|sleep apnea|erectile|erections?|"
    r"incontinence|hemorrhoids|autism|withdrawal|addiction|alcoholism|hearing loss|cataracts?|macular|"
    r"lymph nodes?|prostate|cervix|uterus|ovar\w*|colon|bowels?|bladder|lungs?|kidneys|pancrea\w*|spleen|"
    r"gallbladder|retina|cornea|spine|spinal|"
    r"bruxism|grind(?:ing)? my teeth|teeth grinding|blood vessels?|arter(?:y|ies)|"
    r"occlusion|nerve damage|blindness|bacteri\w*|virus\w*|germs|antibod\w*|immune system|"
    r"(?:a|the) (?:cold(?! (?:room|one|drink|brew|water|towel|plunge|stone|compress|side))|cough|"
    r"sore throat)|vasovagal|lidocaine|anesthe\w*|anaesthe\w*|"
    # misspelt as clients type them: "excema", "herpies", "hemorroids", "infecshun", "colestrol"
    + _ECZEMA_PSORIASIS
    + r"|herp[aeiy]{1,2}[sz]?|h[ae]m+[eo]?r+h?oi?ds?|infec(?:shun|sion|tion)s?|ch?ol?[ae]st[ae]?r[oa]l|"
    r"migr[ae]{1,2}i?ne?s?|diar+h?[eo]?a+h?|al+erg\w*|"
    # everyday complaints, teeth, eyes, ears, sport and travel; each alternative opens with a
    # plain letter, so the regex engine skips it on the first letter (a group or "x?" first is slower)
    r"canker sores?|mouth ulcers?|hay ?fever|sinus\w*|yeast|sibo|night sweats?|drenched in sweat|"
    r"morning ?sickness|motion ?sickness|sea ?sickness|car ?sickness|altitude|"
    r"get (?:so |really |very )?(?:winded|out of breath)|gets (?:so |really |very )?(?:winded|out of breath)|"
    r"jet ?lag|cavit(?:y|ies)|dry socket|toothaches?|crown (?:fell|came|fall|falls|come) (?:out|off)|"
    r"filling (?:fell|came|fall|falls|come) (?:out|off)|tooth (?:fell|came|fall|falls|come) (?:out|off)|"
    # "had me in stitches" is laughter
    r"stitches(?<!in stitches)|shin splints|runner'?s knee|tennis elbow|golfer'?s elbow|rotator cuff|"
    r"acl|meniscus|"
    r"whiplash|stops? breathing|my hearing|hearing in (?:my|his|her|one|both) (?:\w+ )?ears?|"
    r"ringing in (?:my|his|her|the|one) (?:\w+ )?ears?|floaters|my bp|his bp|her bp|high bp|low bp|"
    r"bp (?:meds|pills|medication)|can'?t (?:fall|stay) asleep|cannot (?:fall|stay) asleep|"
    r"trouble (?:falling|staying) asleep|hard to (?:fall|stay) asleep|help me (?:fall|stay) asleep|"
    r"more to (?:fall|stay) asleep|bruise (?:\w+ )?easily|"
    # lab values: "my tsh came back high", "my ferritin is 8", "tested positive"
    r"tsh|ferritin|ldl|hdl|psa|a1c|hemoglobin|platelets?|triglycerides|creatinine|egfr|wbc|"
    r"white (?:blood )?cell count|liver enzymes|iron panel|potassium|sodium|calcium|uric acid|"
    r"iron saturation|oxygen saturation|sweat\w* (?:at night|in my sleep|through (?:my )?(?:sheets|"
    r"pajamas|pjs))|tested (?:\w+ ){0,2}"
    + _RESULT
    + r"|came back (?:\w+ ){0,2}"
    + _RESULT
    + r"|test (?:came back|was|is) (?:\w+ ){0,2}"
    + _RESULT
    + r"|results? (?:came back|was|were|is|are) (?:\w+ ){0,2}"
    + _RESULT
    + r"|positive (?:ana|test|result)"
)
# Conditions by their ending (-itis, -osis, -ectomy...).
CONDITION_SHAPE = (
    r"\b(?!hyperhidrosis\b)[a-z]{3,}(?:itis|osis|ectomy|otomy|ostomy|oscopy|opathy|plasia|trophy|algia|aemia|"
    r"anemia|glycemia|lipidemia|kalemia|natremia|leukemia|uremia|sarcoma|carcinoma|lymphoma|"
    r"melanoma|myeloma|blastoma|adenoma|glioma|fibroma|lipoma|hematoma|edema|oedema|plegia|"
    r"rrhea|rrhoea|cele|itus)\b"
)
# Skin concerns a med spa treats: "I want IPL for my rosacea" is a booking, not a clinical question.
SKIN_CONCERN = alt(
    _SKIN_SPELLINGS + r"|melasma|dermatitis|vitiligo|alopecia|hyperhidrosis|keratosis|acne|"
    r"cystic acne|breakouts?|pigment\w*|hyperpigment\w*|sun ?spots?|age spots?|dark spots?|"
    r"spider veins?|broken capillaries|redness|scars?|acne scars?|stretch marks?|cellulite|"
    r"wrinkles?|lines|11'?s|elevens|crow'?s ?feet|jowls|double chin|sagging|loose skin|large pores|"
    r"pores|texture|dullness|"
    r"unwanted hair|ingrown hairs?|tattoos?|sweating"
)
# What the spa sells and a client asks about by name ("what is dermaplaning?").
SPA_OFFER = alt(
    r"botox|tox|neurotoxins?|dysport|xeomin|jeuveau|daxxify|fillers?|dermal fillers?|juvederm|"
    r"restylane|rha|radiesse|tear troughs?|under ?eye filler|sculptra|kybella|lip flip|facials?|"
    r"hydrafacial|peels?|chemical peels?|"
    r"microneedling|morpheus8?|laser\w*|ipl|bbl|photofacial|hair removal|wax\w*|massage|lashes|"
    r"lash lift|brows?|brow lamination|lips?|coolsculpting|dermaplaning|prp|prf|vampire facial|"
    r"threads?|thread lift|pdo|emsculpt|body contouring|tightening|contouring|skin tightening|"
    r"microdermabrasion|dermabrasion|sculpt\w*|membership|package|consultation|tattoo removal|"
    r"wrinkles?|lines|acne|acne scars?|scars?|pigment\w*|sun ?spots?|dark spots?|cellulite|"
    r"baby botox|brotox|skin booster|profhilo|glow|spa|med spa|medspa"
)
# Skin conditions (not concerns): what a treatment can make worse or better, a clinical question.
SKIN_CONDITION = alt(
    _SKIN_SPELLINGS + r"|melasma|dermatitis|vitiligo|alopecia|hyperhidrosis|keratosis|acne|"
    r"cystic acne|breakouts?|keloids?|hyperpigment\w*|cold sores?|sensitive skin|dry skin|oily skin"
)
# What a client says about a treated area that is only a symptom next to a treatment ("tight and red
# after the peel", "my smile looks weird after the botox").
AFTER_SYMPTOM = alt(
    SYMPTOM[3:-1]
    + r"|blue|bluish|purple|purplish|grey|gray|dusky|tint|bigger|smaller|heartburn|reflux|bloat\w*|"
    r"blood sugar|redness|red spots?|(?:blood|purple|white|little|tiny) spots|red|scar|scarring|scarred|"
    r"discolou?r\w*|asymmetr\w*|uneven|crooked|"
    r"sensitive|raised|marks?|stripes?|scratch\w*|white ?heads|pimples|zits|acne|hoarse|lost my voice|tight|"
    r"weak|weird|strange|frozen|heavy|twitch\w*|spasm\w*|darker|higher|lower|"
    r"dark spots?|dark patch\w*|patches|streaks?|shaking|broke out|breaking out|breakouts?|cold sores?|"
    r"hard|firm|dents?|dented|denting|dimpl\w*|ridges?|migrat\w*|moved|crooked smile|dry|flaky|flaking|"
    r"purging|upset|"
    r"threw up|throw up|puk\w*|barf\w*|stiff\w*|pulling|tugging|losing (?:my )?hair|hair loss|"
    r"hair (?:is )?falling out|(?:isn'?t|not|won'?t) heal\w*|"
    r"(?:can'?t|cannot|can barely|can hardly|hard to|trouble|doesn'?t|does not|won'?t|will not) (?:smile|"
    r"close|move|lift|raise|blink|drink|eat|"
    r"open|feel|pucker|talk|whistle|chew)|drool\w*|white|whitish|pale|greyish|grayish|brown|brownish|"
    r"twice the size|double the size|twice as big|double as big|puffier|lumpier|redder|"
    r"(?:looks?|feels?) off|yellow\w*|green\w*|"
    r"cold to (?:the )?touch|(?:feels?|is|are) cold|dropp(?:ed|ing)|spock|way (?:up|higher|lower|bigger)|"
    r"swallow\w*|sunburn\w*|water(?:ing|y)|won'?t stop|diarrh\w*|constipat\w*|cramp\w*|shaky|jittery|moving|"
    r"nauseous|sick|blew up|blown up|ballooned|puffed up"
)
# What a client puts on their own skin: "the cream you gave me", "the serum made my eyes red".
PRODUCT = alt(
    r"creams?|serums?|products?|retinol|tret\w*|retin[- ]a|lotion|masks?|sunscreen|spf|ointment|gel|"
    r"moisturi[sz]er|cleanser|toner|lash serum|(?:lash )?glue|adhesive"
)
# The treatment itself (not "appointment" or "visit"): what a symptom or an aftercare question is about.
PROCEDURE = alt(
    r"emsculpt|botox|tox|neurotoxin|dysport|xeomin|jeuveau|daxxify|fillers?|juvederm|restylane|rha|radiesse|"
    r"sculptra|kybella|lip flip|lip injections?|injections?|injectables?|shots?|laser|lasers|ipl|bbl|"
    r"photofacial|peel|peels|chemical peel|microneedling|morpheus8?|rf|rf microneedling|hydrafacial|"
    r"facial|coolsculpting|cryo\w*|dermaplaning|prp|prf|vampire facial|laser hair removal|hair removal|"
    r"electrolysis|tattoo removal|threads?|thread lift|pdo|wax|waxing|body contouring|treatment|procedure|"
    r"lidocaine|numbing(?: cream)?|weight loss (?:shots?|injections?)|glp-?1(?: shots?)?|semaglutide|"
    r"tirzepatide|b12(?: shots?)?|iv|ivs|iv drips?|drips?|infusions?|lash lift|lash serum|"
    r"lash extensions?|lashes|"
    r"brow lamination|brow tint|dermaplan\w*"
)
# Parts of the body a client says hurt, shake or swell ("my knee keeps swelling", "my hands shake").
BODY_PART = alt(
    r"head|neck|back|lower back|upper back|shoulders?|arms?|elbows?|wrists?|hands?|fingers?|thumbs?|"
    r"nails?|toenails?|chest|stomach|belly|tummy|gut|sides?|hips?|legs?|knees?|ankles?|feet|foot|toes?|"
    r"heels?|ears?|eyes?|eyelids?|throat|gums?|teeth|tooth|jaw|nose|joints?|muscles?|scalp|heart|"
    r"bladder|kidneys?|glands?|tongue|lips?|mouth|armpits?|underarms?|calf|calves|shins?|groin|"
    r"fingernails?|whole body|body"
)
# What a body part does when something is wrong with it.
BODY_COMPLAINT = alt(
    r"shak\w*|trembl\w*|twitch\w*|click\w*|crack\w*|popping|pops|ring\w*|bleed\w*|swell\w*|swollen|"
    r"hurts?|hurting|aches?|aching|throb\w*|burn\w*|itch\w*|numb\w*|tingl\w*|cramp\w*|spasm\w*|"
    r"locks? up|locking|locked|gives? out|goes out|went out|gave out|pound\w*|racing|races|skips|flutter\w*|"
    r"sore|stiff|bruis\w*|buckl\w*|gives? way|twice the size|double the size|twice as big|"
    r"receding|leak\w*|muffled|clogged|"
    r"bloodshot|smell\w*|stink\w*|peeling|flak\w*|red|watery|crusty|"
    # how a part looks when it worries a client: "my lip looks cooked", "her wrist is purple"
    r"cooked|crooked|messed up|purple|black and blue|yellow\w*|grey|gray|blue|hard(?! to)|"
    r"hot(?! (?:yoga|tub|stone))|tight and hot"
)
# Someone pregnant who comes along or gets a gift card: "my sister is pregnant can she come watch".
# Any treatment, safety or "can she get/have/do" keeps it medical.
PREGNANT_COMPANION = (
    r"^(?!.*\b(?:safe|ok for|treat\w*|botox|filler|laser|peel|facial|lash\w*|brows?|wax\w*|iv|drip|"
    r"(?:get|getting|have|do) (?!a gift))\b).*\bmy (?:sister|friend|bestie|cousin|mom|daughter|wife|"
    r"girlfriend) (?:is|'s) (?:\w+ ){0,2}pregnant\b.{0,40}\b(?:come|watch|tag along|sit|join|wait|"
    r"drive me|pick me up|take me|gift (?:card|certificate))"
)
# A pregnant or nursing client who is not the one treated: "im pregnant so i cant do botox rn but can i
# buy a gift card for my sister", "im breastfeeding so im skipping botox but my husband wants some",
# "im 8 months pregnant and drove my sister to her appt". Any safety or timing question keeps it
# medical ("how long after the baby can i").
_SOMEONE_ELSE = (
    r"my (?:sister|friend|mom|mother|husband|partner|wife|daughter|son|bestie|boyfriend|girlfriend)"
)
PREGNANT_CLIENT_NOT_TREATED = (
    r"^(?!.*\b(?:safe|ok for|okay for|when can|how (?:long|soon)|wait|(?:can|could) (?:i|she|we) (?:still )?"
    r"(?:get|do|have))\b)"
    r".*\b(?:i'?m|i am|im|she'?s|she is|my (?:wife|partner|girlfriend) is) (?:\w+ ){0,3}(?:pregnan\w*|"
    r"breast ?feeding|nursing|bf'?ing)\b"
    r"(?:.{0,40}\b(?:can'?t|cannot|won'?t|not allowed|no|skip\w*|not (?:doing|getting)|"
    r"sitting (?:this|it) out)\b"
    rf".{{0,60}}\b(?:gift (?:card|certificate)s?|(?:for|but) {_SOMEONE_ELSE})\b|.{{0,80}}\bgift "
    rf"(?:card|certificate)s?\b|.{{0,40}}\b(?:drove|driving|brought|bringing|taking|came with|coming with) "
    rf"{_SOMEONE_ELSE} (?:to|for) (?:her|his|their) (?:appointment|visit|facial|botox|treatment)\b|"
    # she only keeps someone company: "my sister wants to come get her lips done, can i sit with her"
    rf".{{0,60}}\b{_SOMEONE_ELSE}\b.{{0,60}}\b(?:can i|i'?ll|i will|ok if i|okay if i) (?:sit|wait|stay|"
    r"come|watch)\b(?!.{0,30}\b(?:get|do|have|treat\w*)\b)|"
    # the treatment skipped this time: "she's skipping it this time, can i use our package for just me"
    r".{0,30}\bskip\w*\b.{0,60}\b(?:just me|for me|myself)\b)"
)
# A new mother booking time for herself, nothing asked about nursing or healing: "i just had a baby in
# march so im finally ready for me time, what facials do you have next week".
NEW_MOM_BOOKING = (
    r"^(?!.*\b(?:safe|(?:is it |is that )?(?:ok|okay) (?:to|for|if)|is it (?:ok|okay)|breast\w*|nursing|"
    r"pumping|bf'?ing|postpartum|stitches|c-? ?section|heal\w*|"
    r"still|while|recover\w*|bleed\w*|milk|cleared)\b).*\b(?:just |recently )?had (?:a|my|our|the) baby\b"
    r".{0,80}\b(?:me time|mom (?:packages?|days?)|mommy|pamper\w*|treat myself|what'?s available|"
    r"what do you have|packages?|openings?|book|i'?m back)\b|"
    # "im 8 weeks postpartum and finally sleeping lol, want to book a massage": the weeks told, nothing
    # injected, taken or asked
    r"^(?!.*\b(?:safe|ok|okay|breast\w*|nursing|pumping|bf'?ing|stitches|heal\w*|still|while|recover\w*|"
    r"bleed\w*|milk|can i (?:get|do|have)|botox|tox|fillers?|injections?|injectables?|laser|peels?|"
    r"microneedling|iv|drips?|semaglutide|tirzepatide|sculpt\w*|coolsculpting)\b)"
    r".*\b\d+ ?(?:weeks?|wks?|months?) (?:postpartum|pp)\b.{0,60}\b(?:book|massage|facial|pedicure|mani\w*|"
    r"spa day|packages?|openings?|what do you have)\b"
)
# A medical date named only as the day to book around: "i have a colonoscopy the 14th so anything the
# week after works", "my period's due around the 12th so can i book the week after". A safety or
# healing question keeps it medical ("how long after my surgery on the 3rd can i get botox").
_DATE = (
    r"(?:the )?(?:\d{1,2}(?:st|nd|rd|th)?|(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|week|month|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|"
    r"mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b"
)
_MEDICAL_DATE = (
    r"(?:surgery|operation|procedure|[a-z]+oscopy|mri|ct scan|scan|biopsy|mammogram|physical|check-?up|"
    r"period|root canal|dental work|(?:doctor'?s?|dentist|dental|derm\w*|medical|obgyn|ob) "
    r"(?:appointment|visit))"
)
SCHEDULED_AROUND = (
    r"^(?!.*\b(?:safe|ok to|okay to|fine to|affect\w*|interfere|stop|heal\w*|too soon|risk\w*|should i|"
    r"recover\w*|wait|how (?:long|soon)|problem|pain\w*|hurt\w*|bleed\w*|sore|swell\w*|swollen)\b)"
    rf".*\b(?:i have|i'?ve got|i'?m having|having|i'?m getting|my)\b (?:a |an |my |the )?(?:\w+ ){{0,2}}"
    rf"{_MEDICAL_DATE}(?:'?s)?(?: on my \w+)?(?: is)? (?:due )?(?:on|in|this|next|around|the|due)\b ?{_DATE}"
    r".{0,40}\b(?:anything|any day|any time|anytime|works?|book|get in|come in|slot|openings?|available|"
    r"what do you have|(?:can|could) (?:we|i|you) (?:do|get|book|squeeze|fit))\b"
)
# Meds named only as the reason for a time: "i take adderall in the morning so can we do 2pm". A
# safety question keeps it medical.
MEDS_AS_TIME_REASON = (
    r"^(?=.*\b(?:slot|appt|appointment|time|consult\w*|\d{1,2} ?(?:am|pm)|\d{1,2}:\d\d|can we do|"
    r"can i (?:come|book|do)|works? (?:best|better))\b)"
    r"(?!.*\b(?:safe|ok to|okay to|interact\w*|affect\w*|stop|before|after|with the|with my|skip)\b)"
    r".*\bi take (?:my )?(?:\w+ ){0,2}?(?:meds|medications?|pills?|\w+)(?: first thing)? (?:at night|in the "
    r"(?:morning|evening|afternoon)|(?:every|each) (?:morning|night|evening)|before bed)"
)
# A health fact told only so the visit can be planned around it: who comes and how they get in, the
# room, a preference, a reminder, a gift ("can my husband who has MS wait inside", "is there a ramp,
# my mom had a stroke", "i get migraines so i like the lights dimmed", "no latex gloves pls, allergic",
# "i have adhd, can you text me a reminder"). Any question about safety, suitability, an effect, a sign
# or healing keeps it medical ("i have lupus, is it safe", "does my eczema get worse with the peel").
_CLINICAL_ASK = (
    # "is it ok if he waits in the lobby" and "should i find a sitter" are logistics, not suitability
    r"safe|ok (?:to|for|with)|okay (?:to|for|with)|(?:ok|okay) if (?!(?:he|she|they|we|my \w+) (?:waits?|"
    r"sits?|comes?|stays?|joins?|tags?)\b|i (?:fill|bring|park|pay|text|call|wear|come early)\b)|"
    r"(?<!i'm )(?<!im )fine (?:to|for|with)|alright|affect\w*|interfer\w*|worse|"
    r"trigger\w*|react\w*|risk\w*|"
    r"should (?:i|she|he|we)(?! (?:find|get a|bring|book|come|call|text|park|arrive))|"
    r"(?:can|could) (?:i|she|he|we) (?:still|even)|problem|side effects?|heal\w*|"
    # "i'm recovering from a concussion so can the room be dim" is a fact; how long to recover is a question
    r"(?:how long|when)\b.{0,20}\brecover\w*|recovery (?:time|period)|contagious|"
    # "deep pressure hurts, can i request a light touch massage" is a preference
    r"(?<!pressure )hurts?|hurting|painful|bleed\w*|swell\w*|swollen|rash\w*|itch\w*|normal|(?<!bus )stop|"
    r"too soon|how soon|do i (?:need|have) to|effective|"
    r"how long (?:after|before|until|till|should|do i (?:have to )?wait|will (?:it|the|my|i))|"
    r"what if|help (?:with|for)|work for|good for|bad for|worr\w*|flar\w*|infect\w*|why|"
    r"what causes|cure|should you|at what age|"
    r"remed\w*|(?:doctor|doc|dr|derm) (?:said|says|told|wants)|syndrome|medicare|insurance|"
    # someone contagious coming in is for staff: "my kid has impetigo, can i bring him"
    r"(?:cold|flu|fever|covid|strep|impetigo|lice|pink ?eye|stomach bug|chicken ?pox|rsv|virus|contagious|"
    r"sick)\b.{0,40}\b(?:bring (?:him|her|them|my)|(?:he|she|they) (?:come|tag along|wait|sit))|"
    r"(?:bring|sit|wait|come|tag along)\b.{0,60}\b(?:has|have|got) (?:a |the )?(?:cold|flu|fever|covid|strep|"
    r"impetigo|lice|pink ?eye|stomach bug|chicken ?pox|rsv|virus)|"
    # conditions a treatment's light, needles or heat always reach: epilepsy and IPL, HIV and microneedling
    r"epilep\w*|seizures?|hiv|hepatitis|hemophilia|bleeding disorder|"
    # devices and implants a treatment's energy can reach: "i have a pacemaker so just fyi"
    r"pacemaker|defibrillator|implanted|metal (?:plate|implant|rod)s?|"
    # the same asked in Spanish: "es seguro", "puedo", "me duele"
    r"segur[oa]|puedo|peligros[oa]|afecta\w*|riesgos?|duele"
)
_ACCESS_AND_COMFORT = (
    r"wheelchair|accessible|accessibility|ramps?|elevator|"
    r"(?:uses?|using|with|on|needs?) (?:a |her |his |my )?(?:walker|cane|crutches|scooter|wheelchair)|"
    r"handicap\w*|parking|bathroom|restroom|"
    r"(?:sit|wait|stay|rest)s? (?:inside|outside|in (?:the|your|a)|with (?:me|her|him|them)|somewhere|nearby|"
    r"facing|near|by|close|up front)|"
    r"somewhere (?:\w+ )?(?:can|could) (?:sit|wait|rest)|a (?:chair|seat) for|quiet (?:room|time|slot|"
    r"appointment|hour|spot)|(?:lights?|lighting) (?:dimmed|dim|low|lower|off|down)|dim (?:the )?lights?|"
    r"private|privacy|self[- ]conscious|modest\w*|"
    r"unscented|fragrance[- ]free|scent[- ]free|latex[- ]free|non[- ]?latex|no latex|nitrile|"
    r"(?:note|put|add|write|keep|flag) (?:that|it|this) (?:down )?(?:on|in|to|for) (?:my )?"
    r"(?:file|chart|account|"
    r"profile|notes|visit|appointment|appt)|"
    r"(?:put|wrote|listed|noted) (?:it|that|this) (?:on|in) (?:the|my) (?:form|intake|file|chart)|irrelevant|"
    r"reminders?|remind me|female (?:provider|injector|tech|esthetician|staff)|gift (?:cards?|certificates?)|"
    r"interpreter|sign language|text (?:me|us|my \w+) instead|"
    r"treat (?:her|him|them|my \w+) to|(?:spa day|gift|package|treat) for (?:my|her|his) \w+|"
    # furniture and getting on it: "is the massage table wide enough", "a step stool for the table"
    r"(?:massage|facial|treatment|pedicure|pedi|spa) (?:table|chair|bed)s?|recliners?|step stool|"
    r"(?:is|are) the (?:table|chair|bed)s? (?:wide|big|sturdy|adjustable|low|high)|"
    # how the visit is held: "can u do a consult over zoom? i can't drive", "can he come alone"
    r"(?:over|by|on) (?:zoom|video|facetime)|can'?t drive|not (?:allowed|able) to drive|"
    r"come (?:in )?alone|need (?:me|a parent) (?:there|with)|"
    # a product or a provider chosen for it: "sensitive to glue so no extensions", "i'd prefer a
    # provider who's careful with hygiene"
    r"(?:so|pls|please) no (?:\w+ ){0,2}(?:extensions|products?|glue|adhesive|fragrance|perfume|scents?|"
    r"oils?|lotions?|pedicures?|manicures?|massages?|facials?|wax\w*|peels?|lasers?)|"
    # comfort in the room: "an extra blanket for my raynauds", "can the room be dim"
    r"blankets?|pillows?|bolsters?|(?:room|lights?|lighting) (?:be |is |kept )?(?:dim|dimmed|darker|dark|"
    r"quiet|warm|warmer)|(?:prefer|request|want|like) (?:a |an |the )?(?:\w+ ){0,2}(?:provider|injector|"
    r"tech|esthetician|therapist|practitioner)|"
    # someone else's consult, where a clinician reviews it all: "he's on a lot of meds tho"
    r"(?:his|her|their) consult(?:ation)?|"
    # who drives or comes along: "my daughter will drop me off", "he's just driving me"
    r"(?:driving|drive|dropping|drop|picking|pick) (?:me|her|him|them)(?: off| up)?|"
    r"bring (?:him|her|them|my (?:son|daughter|kid|kids|baby|husband|wife|mom|dad|partner))|"
    # what a client brings for herself: "is it ok if i bring juice into the room", "my epipen"
    r"(?:bring|keep) (?:\w+ )?(?:juice|snacks?|water|food)\b(?! poison)|(?:bring|have|keep) my (?:inhaler|"
    r"epipen|meds|insulin|oxygen|pump|cane|walker|service dog)|quote|estimate|tarjetas? de regalo|"
    r"silla de ruedas"
)
_TIME_BECAUSE = (
    r"(?:\b(?:so|because|bc|cuz|since|which means)\b.{0,60}\b(?:can we do \d|"
    r"(?:can|could) (?:we|i|you) (?:do|book|get|put) (?:me |us )?(?:in )?(?:a |an |the )?(?:\d|early|earlier|"
    r"late|later|morning|afternoon|evening|mid|next|(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|tmrw)|"
    r"(?:early|earlier|late|later|morning|afternoon|evening) "
    r"(?:slots?|appointments?|appts?|times?|openings?)|"
    r"(?:first|last) (?:slot|appointment|appt|opening)s? of the day|"
    r"anything (?:on )?(?:this|next|mon|tues|wednes|thurs|fri|satur|sun)\w*|"
    r"what do you have|openings?|(?:after|before) (?:the|my) (?:wedding|event|party|trip|vacation|honeymoon|"
    r"photos?|shoot|reunion|\d+(?:st|nd|rd|th)?)|(?:earlier|later) in the (?:day|week)|the week (?:after|"
    r"before)|next week|a different (?:day|week|time)|another (?:day|week|time)|(?:before|after|until) "
    r"(?:then|that)|(?:push|move|reschedule|cancel|switch|change|swap|bump)\b)|"
    # a visit moved or called off for a health reason: "i have a migraine and can't drive, need to cancel"
    r"\b(?:cancel\w*|reschedul\w*|(?:move|push|switch|bump) (?:it|my|the|our)\b)|"
    # the Spanish reason and time: "mi esposo tiene diabetes y necesita comer temprano, tienen cita a las 9?"
    r"\b(?:por eso|porque|ya que|asi que|y necesita|y necesito)\b.{0,60}\b(?:cita|a las \d|temprano|"
    r"mas tarde|en la manana|en la tarde)\b|"
    # a procedure still to come, its date unknown: "im on a waitlist for knee surgery, can i book facials"
    r"\b(?:wait ?list|waiting list) for\b.{0,60}\b(?:book|schedule|come in)\b|"
    # the time asked first, the reason after: "i need a morning slot because i have dialysis"
    r"\b(?:need|want|prefer|like|looking for) (?:a |an |the )?(?:\w+ )?(?:slot|appointment|appt|time)s?\b"
    r".{0,40}\b(?:because|bc|cuz|since|as) (?:i|my)\b)"
)
# A disclosure for the file ("fyi", "for your records"): only with no drug named, which the medication rule
# reads first anyway ("for your records, i take a baby aspirin" is for a nurse).
_FOR_THE_FILE = r"fyi|just so (?:you|u) know|heads up|for your records"
FACT_FOR_THE_VISIT = (
    rf"^(?!.*\b(?:{_CLINICAL_ASK})\b).*(?:\b(?:{_ACCESS_AND_COMFORT}|{_FOR_THE_FILE})\b|{_TIME_BECAUSE})"
)
# The same, for a fact that matters to a treatment (an allergy, a drug): only who comes, the room and
# its products, a reminder or a gift, never the time of a treatment ("im on accutane, anything
# saturday for a wax?" is a clinical question however it is asked).
FACT_FOR_THE_ROOM = rf"^(?!.*\b(?:{_CLINICAL_ASK})\b).*\b(?:{_ACCESS_AND_COMFORT})\b"
# A treatment made for pregnancy, asked about as an offer: "i'm 7 months pregnant, do you do prenatal
# massages?". A safety question keeps it medical ("is the prenatal facial safe in the first trimester").
PREGNANCY_OFFER = (
    r"^(?!.*\b(?:safe|ok|okay|affect\w*|harm\w*|risk\w*|should i|"
    r"can i (?:still )?(?:get|do|have) (?!a |an |the |one|prenatal|maternity|pregnancy)\w+)\b)"
    r".*\b(?:prenatal|pre-natal|maternity|pregnancy) (?:massages?|facials?|packages?|specials?|treatments?)\b"
)
# A time after a recovery, or after a flare that has settled, told to book: "after my c-section
# recovery, like march, i want to do a skin tightening package", "my psoriasis flare finally calmed down
# so i'm ready for a facial, anything saturday?". A question about healing or a sign now keeps it medical.
AFTER_IT_SETTLES = (
    r"^(?!.*\b(?:safe|ok to|okay to|fine to|too soon|how (?:long|soon)|when (?:can|should|is it)|should i|"
    r"(?:can|could) i (?:still|even|get|do|have)|is it|will (?:it|i|that)|affect\w*|wait|hurts?|bleed\w*|"
    r"swell\w*|lost|losing|falling out|hair loss|"
    r"swollen|infect\w*|worse|normal|still (?:have|has)(?! (?:the|that|a|any) (?:\w+ )?(?:spot|slot|opening|"
    r"time|appointment)s?\b)|still (?:\w+ ){0,2}(?:feel\w*|hurt\w*|sore|red|numb|bruis\w*|heal\w*|recover\w*|"
    r"sick|on|swollen|bleeding|tender)|incision|stitches|wound|drain)\b)"
    r".*\b(?:(?:after|once) (?:my |i'?m |i am |i'?ve |the )?(?:\S+ ){0,2}"
    r"(?:recovery|recovered|healed|cleared)|"
    r"(?:calmed|settled) down|cleared up|went away|(?:is|are) (?:finally )?gone|under control|"
    # an illness or a surgery behind the client: "had my gallbladder out in january, all good now"
    r"all good now|all better|(?:feeling|feel|i'?m) (?:much |a lot |way )?better|better now|in remission|"
    r"but i'?m (?:fine|ok|okay|good)|finished (?:her|his|my|their) (?:last )?(?:round|course|treatments?)|"
    r"cancer[- ]free|survivor|back to normal|(?:was|been) sick|had (?:covid|the flu|a cold|a miscarriage|"
    r"(?:\w+ )?surgery|\w+ disease) (?:last|in|a few|\d))\b"
    r".{0,60}\b(?:i want to|i'?d like to|want to (?:start|do|get|book|try)|want (?:my|a|some) \w+|"
    r"(?:just|honestly) need|ready for|book|anything (?:on |this |next |for )?(?:\w+day|week|open|available)|"
    r"what do you have|openings?|slots?|spot|available|pencil me|put me down|schedule|restart|"
    r"first available|do (?:you|u) (?:guys )?(?:do|offer|have)|see you|packages?)\b"
)
# A treatment the spa sells, asked by its price: "my hair is thinning at the part, do you do prp for hair
# and how much", "the cold sore laser thing you guys advertise, how much".
OFFER_BY_PRICE = (
    rf"^(?!.*\b(?:{_CLINICAL_ASK})\b)"
    r".*\b(?:you|u|y'?all)(?: guys)? (?:do|offer|have|sell|carry|advertise\w*)\b"
    r".{0,40}\b(?:how much|price|pricing|cost)\b"
)
# Whether the spa offers something, a condition told only as background: "i get cold sores sometimes, do
# you guys sell the cold sore laser as a package", "my sister is a cancer survivor and wants her brows
# done, do you do microblading". A question about safety, an effect or a sign keeps it medical.
OFFER_ASKED = (
    # "i have X, do you offer <a treatment>" asks whether it suits
    rf"^(?!.*\b(?:i have|i'?ve got|i'?m|im|i am)\b.*\b{PROCEDURE}\b)"
    rf"(?!.*\b(?:{_CLINICAL_ASK}|can (?:i|she|he|we) (?:get|do|have)|(?:i'?m|im|i am) on|tests?|testing|"
    r"vaccin\w*|prescri\w*|screening|exams?|lost|losing|falling out|patients?)\b)"
    # "what do you do with someone who..." asks for advice, not an offer
    r".*\b(?<!what )(?<!how )(?<!why )(?<!where )(?<!when )(?<!who )(?<!should )(?<!exactly )(?:do|does) "
    r"(?:you|u|y'?all)(?: guys)? (?:do|offer|sell|have|carry) "
    # "do you do anything for low testosterone" asks for care, not an offer
    r"(?!(?:to|a problem|for|with|about|if|when|and|or|information|info|any|anything)\b)\w"
)
# Conditions that shape how a visit runs (getting in, the room, the time, who talks) and rarely whether
# a treatment suits: "my kid has adhd and can't sit still, how long is the brow appointment", "my
# grandpa has hearing aids", "can my son's nurse come, he has cerebral palsy", "im on my period so no
# bikini wax this week, what about brows tmrw?". Named alone with a booking and no question about
# safety, effect or a sign, they stay bookings; any other condition or drug named keeps the text medical.
_ACCESS_CONDITION = (
    r"(?:dementia|alzheimer'?s?|autis\w*|adhd|asperger'?s?|down syndrome|cerebral palsy|spina bifida|"
    r"(?:multiple )?sclerosis|(?:have|has|with) (?:ms|als)|parkinson'?s?|deaf|hard of hearing|hearing aids?|"
    r"hearing loss|blind|low vision|wheelchair|paraly[sz]ed|paraplegic|quadriplegic|amputee|prosthe\w*|ptsd|"
    r"ocd|disabled|disability|sprain\w*|bad (?:knees?|hips?|back)|"
    r"tourette'?s?|claustrophob\w*|dyslexi\w*|feeding tube|oxygen tank|fibromyalgia|endometriosis|iud|"
    r"period|sleep study|sleep apnea|(?:hip|knee|shoulder) replacement|broken (?:arm|leg|wrist|ankle|foot)|"
    r"cast|crutches)"
)
_A_BOOKING = (
    rf"\b(?:{TREATMENT}|{SPA_OFFER}|book\w*|schedul\w*|slots?|openings?|consult\w*|massages?|mani\w*|"
    r"pedi\w*|nails|spa day|house calls?|call me|text me|how long|forms?|paperwork|intake)\b"
)
ACCESS_CONDITION_ONLY = (
    # whether the treatment suits is asked all the same: "i have ms, can i get botox", "my period is late"
    rf"^(?!.*\b(?:{_CLINICAL_ASK}|(?:can|could) (?:i|she|he|we|they) (?:get|do|have)|late|missed|"
    r"in (?:my|the) family|what (?:is|are)|diagnos\w*|criteria|treatments? for)\b)(?=.*\b"
    + _ACCESS_CONDITION
    + r"\b)"
    rf"(?!.*\b(?!{_ACCESS_CONDITION}\b){CONDITION}\b)(?!.*\b(?!{_ACCESS_CONDITION}\b){CONDITION_SHAPE})"
    rf"(?!.*\b{DRUG}\b)"
    rf"(?=.*{_A_BOOKING})"
)
# A doctor's go-ahead that leads to a booking: "my doc cleared me after my hernia surgery so i'm good to
# book the coolsculpting consult".
CLEARED_BY_DOCTOR = (
    r"^(?!.*\b(?:safe|ok to|okay to|should i|is it|still|wait|too soon|how (?:long|soon)|hurts?|swell\w*|"
    r"bleed\w*|infect\w*)\b)"
    r".*\bmy (?:\w+ )?(?:doctor|doc|dr|surgeon|derm\w*|obgyn|ob|pcp|gp|nurse|physio|physical therapist) "
    r"(?:has |just )?(?:cleared|ok'?d|okayed|gave me the (?:ok|okay|go ahead|green light)|says? i'?m "
    r"(?:good|ok|okay|cleared|fine)|said i can|says i can)\b"
)
# Marks a condition left behind, asked about as what a treatment does: "does microneedling help with
# the pitted scars from chicken pox".
MARKS_LEFT_BY = (
    rf"^(?!.*\b(?:safe|ok to|okay to|worse|flare\w*|still|active|now|right now|spread\w*)\b)"
    rf".*\b(?:does|do|will|would|can) (?:the |a |an )?{SPA_OFFER} (?:\w+ )?"
    r"(?:help|work|do anything|get rid of|fix|improve|fade)\b"
    r".{0,30}\b(?:scars?|marks?|spots?|pits|pitting|discolou?ration|pigment\w*)\b "
    r"(?:from|left by|after)\b"
)
# A course of care named only as the reason for a time: "do you have any appointments after 6? i do chemo
# infusions during the day", "my husband's on dialysis so he drives me tuesdays only".
CARE_SCHEDULE = (
    r"^(?!.*\b(?:safe|ok to|okay to|should i|is it|affect\w*|interfer\w*|while|during (?:my|the) (?:chemo|"
    r"treatment))\b)"
    r"(?=.*\b(?:appointments?|appts?|slots?|openings?|anything|(?:can|could) we do|after \d|before \d|"
    r"mornings?|afternoons?|evenings?)\b)"
    r".*\b(?:i|he|she|we) (?:do|have|get|go to|am on|'?m on|is on|'?s on) (?:my |his |her )?(?:chemo\w*|"
    r"dialysis|infusions?|radiation|physical therapy|pt|therapy)\b(?: infusions?)? (?:on|during|every|in the|"
    r"\w+days|mornings|afternoons|so)\b"
)
