"""Word lists the detectors share: words that are never a client's name, treatments, time words.

Pure data. Every word is case-folded and without accents (the form `shorthand.plain` produces).
"""

from __future__ import annotations

__all__ = ["COURTESY_WORDS", "LOGISTICS_WORDS", "NOT_NAMES", "RELATIONS", "TIME_WORDS", "TREATMENT_WORDS"]

# The people a client writes for or about ("Ava's husband", "for my mom"): never the client, and a
# provider named with one ("Marco's wife") is not a provider asked for.
RELATIONS: tuple[str, ...] = tuple(
    """
    husband hubby wife mom mum mother mama dad father daughter son partner boyfriend girlfriend bf gf fiance
    fiancee friend bestie sister brother sis assistant aunt uncle grandma grandmother niece nephew cousin teen
    kid kids child spouse coworker boss client
    """.split()
)

# Days, months and parts of day in English and Spanish (never a name; never a treatment).
TIME_WORDS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed weds thu thur thurs fri sat sun
    today tomorrow tonight morning afternoon evening night noon midday weekend weekday week month year
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec am pm asap soon soonest earliest latest early late
    later earlier next last this coming after before around about between until till from morningish
    lunes martes miercoles jueves viernes sabado domingo hoy manana tarde noche semana mes fin
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre mediodia
    """.split()
)

# Words clients use for treatments; a catalog adds its own through `service_words`.
TREATMENT_WORDS = frozenset(
    """
    botox botx btox tox dysport xeomin daxxify jeuveau neurotoxin filler fillers juvederm restylane
    sculptra radiesse kybella facial facials hydrafacial hydra laser lasers ipl bbl photofacial peel
    peels microneedling coolsculpting sculpt emsculpt morpheus prp threads dermaplaning wax waxing
    massage lip lips cheek cheeks jaw jawline chin consult consultation injectables injection
    injections microblading brows brow lashes lash tattoo ultherapy thermage halo moxi chemical
    hair removal skin acne scars wrinkles lines forehead crows eleven elevens tightening contouring
    body tone glow dermal booster boosters vitamin iv drip
    """.split()
)

# Everyday words that follow "I'm", "it's", "this is" or sign off a text but are not names.
NOT_NAMES = (
    frozenset(
        """
    a an the and or but so just only also very really still not no yes yeah ok okay sure hi hey hello
    here there this that it its me my you your we our they them he she his her i im interested looking
    wondering trying thinking hoping calling texting writing reaching asking going gonna wanting planning
    free available busy open good great fine well new back sorry glad happy unhappy sad tired ready done
    curious confused worried nervous scared afraid pregnant allergic breastfeeding nursing sick ill over
    under about around after before from in on at to for with of by like please thanks thank thx ty
    book booking appointment appt able unable needing due currently actually kinda kind sort sorta
    someone somebody anyone anybody client customer patient member returning existing regular mom dad
    wife husband friend seeing out down up off outside inside home away traveling first second third
    one two three four five six seven eight nine ten twelve all both none each any some too pretty
    literally honestly definitely probably maybe hopefully always never already again even supposed
    booked scheduled messaging following checking confirming canceling cancelling rescheduling excited
    thrilled stoked dying desperate obsessed broke poor exhausted stressed bored lost stuck work urgent
    important weird strange funny crazy ridiculous annoying frustrating amazing awesome perfect nice
    lovely beautiful cute expensive cheap pricey worth alright right wrong correct true real fake
    positive negative certain clear bad worse better best worst myself waiting interesting possible
    impossible unavailable closed full empty swollen bruised red itchy sore numb painful normal bumpy
    lumpy uneven burning what why how when who where which those these time cool down flexible late
    early almost coming running parked finished gone leaving stopping wanting asking hoping texting
    thinking considering deciding debating new newbie local nearby near close far lol omg wow haha hmm
    um uh yo ya yep yup nope nah xo xx xoxo love cheers best regards sincerely hope pls plz bye
    definitely totally super quite rather fairly extremely absolutely barely also still stuff thing
    things everything nothing something anything question questions quick wondering info information
    interested excited happy sad mad upset unhappy disappointed scared anxious considering getting
    having doing making taking trying seeing using spanish english speaking bilingual hispanic latina latino
    mexican american visiting moving pregnant postpartum dr mr mrs ms miss mx doctor nurse prof sir
    madam maam owner manager office goodbye bye bbye byee address location number unisex ai bot robot
    assistant receptionist spa salon clinic unwell find fin hungry thirsty instead back now btw
    then also too either neither maybe yet plus same kk okk idk np nvm lmk ugh wait huh sup whenever anytime
    whichever either is are was be
    idc whatever him us sis bro babe hun girl dude guy lady yea ofc def bet deal word facts lit help stop
    cancel reschedule refund price cost unsubscribe quit end start info question yes yess thanks sorry
    confirm confirmed booked done deal
    de la el los las una un nueva nuevo cliente clienta paciente yo muy alergica embarazada interesada
    interesado su tu mi para del aqui bien buena bueno feliz hola gracias si claro quiero quisiera
    necesito tengo puedo por favor cita una con que como cuando donde
    """.split()
    )
    | TIME_WORDS
)

# Booking logistics and chatter: words that never name a treatment, left out of the text the catalog
# is matched against. Function words ("my", "for", "between") stay: catalog phrases contain them.
LOGISTICS_WORDS = frozenset(
    """
    hi hii hiii hey heyy heya hiya hello howdy hola buenas yo greetings please thanks thank thx ty
    book booking booked schedule scheduling appointment appointments slot slots availability available
    asap soonest earliest whenever lol omg haha hahaha lmao pls plz ok okay
    monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight morning afternoon
    evening night noon am pm ish weekend week next
    cita citas agendar reservar gracias favor porfa manana tarde noche semana proxima lunes martes
    miercoles jueves viernes sabado domingo hoy
    """.split()
)

# Acknowledgements and thanks: a text of only these names no treatment ("ok cool thx" is not
# CoolSculpting, "sweet, ty" not a peel).
COURTESY_WORDS = frozenset(
    """
    ok okay k kk okk cool coolio awesome great perfect nice sweet amazing lovely wonderful fab fantastic
    gotcha got it alright aight sounds good thx thanks thank you ty tysm tyvm appreciate appreciated
    cheers much so very yes yeah yep yup sure no nope nah np noted will do bet lol haha oh ah and
    vale genial perfecto bueno gracias muchas mil
    """.split()
)
