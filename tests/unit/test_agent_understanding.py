"""One reading of a client's text: names, questions, new constraints, language, provider, service words."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from services.agent.language import intents, names, questions, shifts
from services.agent.language.phrases import Rule
from services.agent.language.providers import one_edit_apart
from services.agent.language.shorthand import SHORTHAND, expand, plain
from services.agent.language.understanding import Understanding, understand

pytestmark = pytest.mark.unit

TZ = "America/Los_Angeles"
NOW = datetime(2026, 12, 1, 10, 0)  # a Tuesday at the spa
PROVIDERS = ["Julia Alvarez", "Lilian Okafor", "Sloane Bennett", "Marco Reyes", "Priya Shah"]
LABELS = [
    "Thursday, Dec 3 at 1:30pm with Julia",
    "Friday, Dec 4 at 2pm with Lilian",
    "Saturday, Dec 5 at 3:15pm with Sloane",
]
SERVICES = ["Botox (neurotoxin) treatment", "Lip Filler", "HydraFacial", "CoolSculpting"]


def _read(text: str, *, labels: list[str] | None = None, asked: bool = False) -> Understanding:
    return understand(
        text,
        now=NOW,
        tz=TZ,
        option_labels=labels or [],
        provider_names=PROVIDERS,
        name_asked=asked,
        service_names=SERVICES,
    )


# ----- every phrase rule does what its examples say -----

RULE_TABLES: dict[str, tuple[Rule, ...]] = {
    "greeting": intents.GREETING_RULES,
    "thanks": intents.THANKS_RULES,
    "goodbye": intents.GOODBYE_RULES,
    "affirm": intents.AFFIRM_RULES,
    "negate": intents.NEGATE_RULES,
    "price_objection": intents.PRICE_OBJECTION_RULES,
    "availability": intents.AVAILABILITY_RULES,
    "booking_ask": intents.BOOKING_ASK_RULES,
    "defer": intents.DEFER_RULES,
    "reject": shifts.REJECT_RULES,
    "someone_else": names.SOMEONE_ELSE_RULES,
}
ALL_RULES = [(table, rule) for table, rules in RULE_TABLES.items() for rule in rules]


@pytest.mark.parametrize(("table", "rule"), ALL_RULES, ids=[f"{t}:{r.name}" for t, r in ALL_RULES])
def test_every_rule_matches_its_examples_and_not_its_counter_examples(table: str, rule: Rule) -> None:
    assert rule.examples, f"{table}:{rule.name} has no examples"
    for text in rule.examples:
        assert rule.regex.search(plain(text)), f"{table}:{rule.name} misses {text!r}"
    for text in rule.counter_examples:
        assert not rule.regex.search(plain(text)), f"{table}:{rule.name} wrongly matches {text!r}"


@pytest.mark.parametrize(("question", "rule"), questions.QUESTION_RULES, ids=lambda x: getattr(x, "name", x))
def test_every_question_rule_answers_its_examples(question: str, rule: Rule) -> None:
    providers = ["julia", "sloane", "marco", "lilian", "priya"]
    for text in rule.examples:
        assert question in questions.find_questions(text, providers), text
    for text in rule.counter_examples:
        assert question not in questions.find_questions(text, providers), text


@pytest.mark.parametrize(("shift", "rule"), shifts.SHIFT_RULES, ids=lambda x: getattr(x, "name", x))
def test_every_shift_rule_reads_its_examples(shift: str, rule: Rule) -> None:
    for text in rule.examples:
        assert shifts.find_shift(text) == shift, text
    for text in rule.counter_examples:
        assert shifts.find_shift(text) != shift, text


@pytest.mark.parametrize("row", SHORTHAND, ids=lambda r: r.example)
def test_every_shorthand_row_spells_out_its_example(row: object) -> None:
    assert expand(row.example) == row.expected  # type: ignore[attr-defined]


# ----- names -----


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("crows feet are killing me lol. whats the soonest you have? - Jess", "Jess"),
        ("hey! do u have anything for lip filler this week? it's mia", "Mia"),
        ("hi!! coolsculpting on my tummy, anything sat? x Leah", "Leah"),
        ("Priyanka here", "Priyanka"),
        ("Hola, soy Lucía", "Lucía"),
        ("me llamo Ana", "Ana"),
        ("Dana here, botox?", "Dana"),
        ("thx! -Sam", "Sam"),
        ("Hi! botox for my 11s, saturday morning? Thanks, Rachel", "Rachel"),
        ("Can I book friday at 3? Jess 😊", "Jess"),
        ("my name is jessica", "Jessica"),
        ("Hi, this is Maria Lopez", "Maria Lopez"),
        ("love, Tasha xx", "Tasha"),
        ("Hey it’s Jen again", "Jen"),
        ("hi its julia! botox tmrw?", "Julia"),
        ("Julia here, I booked with you before", "Julia"),
        ("first one, Jen", "Jen"),
        ("1. Alexis", "Alexis"),
        ("1 thx, sam", "Sam"),
        ("mornings are better for me. Cass", "Cass"),
        ("HI!! CAN I BOOK A MASSAGE MONDAY. THANKS, DORA", "Dora"),
        ("any openings saturday afternoon thank you so much Heather", "Heather"),
        ("need it before a wedding sat morning ideally 🙏 Olivia", "Olivia"),
        ("botox friday? - Jess\nSent from my iPhone", "Jess"),
        ("hey girl its steph can i get a facial friday", "Steph"),
        ("hi ladies its mia! botox?", "Mia"),
        ("hey there its jen wondering if u have anything sat", "Jen"),
    ],
)
def test_name_from_how_clients_introduce_themselves_or_sign(text: str, name: str) -> None:
    assert _read(text).name == name


@pytest.mark.parametrize(
    "text",
    [
        "This is Ava's husband, can you tell me how much botox is?",
        "it's my first time",
        "I'm interested",
        "im so excited",
        "I'm 35",
        "it's for my mom",
        "this is botox right?",
        "it's Julia I want",
        "It's Sunday right?",
        "it's May I think",
        "thanks Julia!",
        "I'm Spanish speaking, hola",
        "soy nueva",
        "its fine",
        "I'm free tuesday",
        "What's its address?",
        "Hi this is Dr. Patel's office calling about a patient",
        "I am thankful. I want to book",
        "This is perfet.",
        "Thanks so much. You've been really helpful. Goodbye!",
        "I need a counselor in St. Helena.",
        "the dentist's name is Pineda",
        "can someone just call me instead?",
        "I'd like to see Dr. Norma E. Deato.",
        "ok, Thanks",
        "thanks, Julia",
        "Thanks guys!",
        "Thanks, Glow Spa!",
        "Sent from my iPhone",
        "its fine can i come friday",
        "its urgent can someone call",
        "its cool can i do 3 instead",
        "hey girl its me again can i book",
    ],
)
def test_no_name_from_everyday_words_treatments_days_or_third_parties(text: str) -> None:
    assert _read(text).name is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is Ava's husband, can you tell me the price", True),
        ("it's for my mom", True),
        ("booking for my daughter", True),
        ("Hey this is Kim, my daughter wants a hydrafacial", True),
        ("es para mi mamá", True),
        ("2 appointments please, for me and my mom", True),
        ("botox for my forehead", False),
        ("I'm Sarah, botox please", False),
    ],
)
def test_texts_about_someone_else_are_noticed(text: str, expected: bool) -> None:
    assert _read(text).about_someone_else is expected


def test_a_bare_name_counts_only_when_it_was_asked_for() -> None:
    assert _read("sarah", asked=True).name == "Sarah"
    assert _read("Sure! Mia", asked=True).name == "Mia"
    assert _read("María José", asked=True).name == "María José"
    assert _read("sarah").name is None
    assert _read("botox please", asked=True).name is None


@pytest.mark.parametrize(
    "text", ["kk", "whatever", "idk", "cancel", "girl", "help", "wait", "tmrw", "2", "👍"]
)
def test_a_reply_to_the_name_question_that_is_no_name(text: str) -> None:
    assert _read(text, asked=True).name is None


# ----- front-desk questions -----


@pytest.mark.parametrize(
    ("text", "question", "weekday"),
    [
        ("How much is botox?", "price", None),
        ("how much is a hydrafacial", "price", None),
        ("what does lip filler cost", "price", None),
        ("prices?", "price", None),
        ("how much r fillers", "price", None),
        ("cuánto cuesta el botox", "price", None),
        ("Where are you located?", "address", None),
        ("what's the address", "address", None),
        ("whats ur address", "address", None),
        ("what time do you close on saturday?", "hours", 5),
        ("are you open sunday", "hours", 6),
        ("hours?", "hours", None),
        ("what are your hours tmrw", "hours", 2),
        ("Is there parking nearby?", "parking", None),
        ("where do i park", "parking", None),
        ("who does lip filler", "providers", None),
        ("Who is the best injector for lips?", "providers", None),
        ("is julia in on friday?", "provider_schedule", 4),
        ("when does sloane work", "provider_schedule", None),
        ("what services do you have", "services", None),
        ("do you do lip flips", "services", None),
        ("do you guys do microneedling?", "services", None),
        ("are you guys still open?", "hours", None),
        ("can i park on the street", "parking", None),
        ("what time do you guys open on sat", "hours", 5),
        ("open late thursdays?", "hours", None),
        ("where's the spa", "address", None),
        ("who will i see", "providers", None),
        ("what's the damage for lip filler", "price", None),
        ("do y'all do brows", "services", None),
    ],
)
def test_front_desk_questions_and_the_day_they_are_about(
    text: str, question: str, weekday: int | None
) -> None:
    read = _read(text)
    assert question in read.questions
    assert read.question_weekday == weekday


@pytest.mark.parametrize(
    "text",
    [
        "how much filler will I need",
        "I want to book botox tmrw at 3",
        "hey! do u have anything for lip filler this week?",
        "friday afternoon w julia pls",
        "yes that works",
        "the price is fine, book it",
        "Look for a dentist in Menlo Park.",
        "what kind of ratings do they have",
    ],
)
def test_booking_statements_are_not_questions(text: str) -> None:
    assert _read(text).questions == frozenset()


# ----- new constraints on the options -----


@pytest.mark.parametrize(
    ("text", "reject", "shift"),
    [
        ("none of those work, do you have anything later in the day?", True, "later"),
        ("anything earlier?", False, "earlier"),
        ("do you have something sooner", False, "earlier"),
        ("none of these work, what about wednesday?", True, None),
        ("other days?", False, "another_day"),
        ("different day pls", False, "another_day"),
        ("someone else?", False, "other_provider"),
        ("not lilian", False, "other_provider"),
        ("a different injector please", False, "other_provider"),
        ("later", False, "later"),
        ("anything l8r?", False, "later"),
        ("those don't work for me", True, None),
        ("ninguna me sirve", True, None),
        ("talk to you later!", False, None),
        ("maybe later, thanks", False, None),
        ("Those are a bit early for me", False, "later"),
        ("these are too late for me", False, "earlier"),
        ("the second one", False, None),
    ],
)
def test_a_new_constraint_after_options(text: str, reject: bool, shift: str | None) -> None:
    read = _read(text, labels=LABELS)
    assert (read.reject_options, read.shift) == (reject, shift)


def test_none_of_these_with_a_new_day_gives_the_day() -> None:
    read = _read("none of these work, what about wednesday?", labels=LABELS)
    assert read.preference is not None and read.preference.dates == [date(2026, 12, 2)]


def test_anything_after_five_is_a_new_earliest_time() -> None:
    read = _read("anything after 5", labels=LABELS)
    assert read.preference is not None and read.preference.earliest_time == time(17, 0)


# ----- choosing an option -----


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("ok just do 1", 0),
        ("1 pls", 0),
        ("#2", 1),
        ("the 2nd one", 1),
        ("2️⃣", 1),
        ("option three", 2),
        ("lets do the 3:15", 2),
        ("friday works", 1),
        ("the one with julia", 0),
        ("i'll take the first", 0),
        ("la primera", 0),
        ("la 2", 1),
        ("la segunda por favor", 1),
        ("2 sounds good", 1),
        ("the last one", 2),
        ("1 more question", None),
        ("2 people", None),
        ("I have 2 kids", None),
        ("not lilian", None),
        ("friday w/ priya", None),
        ("none of those work", None),
        ("How long does botox last?", None),
        ("my first time, which is best?", None),
        ("any spots friday w julia?", None),
        ("1 - dana", 0),
        ("first one. Nina", 0),
        ("oh and i'm Tara btw. 1 works", 0),
        ("could you do 2pm instead?", None),
        ("i'd prefer someone other than lilian", None),
        ("I'll take the 3 please", 2),
    ],
)
def test_choice_among_offered_options(text: str, choice: int | None) -> None:
    assert _read(text, labels=LABELS).choice == choice


# ----- yes / no / price objection -----


@pytest.mark.parametrize(
    ("text", "affirm", "negate"),
    [
        ("yesss", True, False),
        ("ya", True, False),
        ("yup 👍", True, False),
        ("sounds good!", True, False),
        ("👍", True, False),
        ("sí", True, False),
        ("Si claro", True, False),
        ("ok cool", True, False),
        ("nah", False, True),
        ("no thx", False, True),
        ("nope", False, True),
        ("no gracias", False, True),
        ("not really", False, True),
        ("Nooo", False, True),
        ("maybe", False, False),
    ],
)
def test_yes_and_no_with_emoji_and_shorthand(text: str, affirm: bool, negate: bool) -> None:
    read = _read(text)
    assert (read.affirm, read.negate) == (affirm, negate)


@pytest.mark.parametrize(
    ("text", "objection"),
    [
        ("omg $650 is a lot", True),
        ("thats kinda steep", True),
        ("hmm pricey", True),
        ("i can't swing that rn", True),
        ("do u have any specials", True),
        ("is there anything cheaper", True),
        ("that's way too expensive for me", True),
        ("$350?? for botox?", True),
        ("hmm that's more than I wanted to spend", True),
        ("es muy caro", True),
        ("Thanks so much!! See you then", False),
        ("how much is it", False),
        ("I can't do friday", False),
        ("thanks a lot", False),
        ("ok book it", False),
    ],
)
def test_price_objections(text: str, objection: bool) -> None:
    assert _read(text).price_objection is objection


# ----- language -----


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hola, soy Lucía", "es"),
        ("quiero una cita para botox el sábado", "es"),
        ("cuánto cuesta", "es"),
        ("gracias", "es"),
        ("¿Tienen citas el viernes en la tarde?", "es"),
        ("sí", "es"),
        ("no gracias", "es"),
        ("la primera", "es"),
        ("hola! can I book botox tomorrow?", "en"),
        ("Hi this is Lucía, botox tomorrow?", "en"),
        ("Hola! I'd like to book a facial", "en"),
        ("ok", "en"),
        ("2", "en"),
        ("👍", "en"),
        ("Bonjour, je voudrais un rendez-vous", "other"),
        ("안녕하세요 예약하고 싶어요", "other"),
        ("Привет, можно записаться?", "other"),
    ],
)
def test_language_of_short_texts(text: str, language: str) -> None:
    assert _read(text).language == language


# ----- provider and service words -----


@pytest.mark.parametrize(
    ("text", "provider"),
    [
        ("friday afternoon w julia pls", "Julia"),
        ("with Julia", "Julia"),
        ("julia pls", "Julia"),
        ("juila on friday?", "Julia"),
        ("hydrafacial w sloan next wk", "Sloane"),
        ("can I see Lilian instead", "Lilian"),
        ("is marco in tomorrow", "Marco"),
        ("it's Julia I want", "Julia"),
        ("hi its julia! botox tmrw?", None),
        ("hi, I'm Julia, botox with Julia pls", "Julia"),
        ("not lilian", None),
        ("march 3rd please", None),
        ("botox please", None),
    ],
)
def test_provider_asked_for(text: str, provider: str | None) -> None:
    assert _read(text).provider == provider


def test_one_edit_apart_allows_one_typo_only() -> None:
    assert (
        one_edit_apart("juila", "julia")
        and one_edit_apart("sloan", "sloane")
        and one_edit_apart("lillian", "lilian")
    )
    assert not one_edit_apart("jules", "julia")


@pytest.mark.parametrize(
    ("text", "service_text"),
    [
        (
            "crows feet are killing me lol. whats the soonest you have? - Jess",
            "crows feet are killing me what's the you have",
        ),
        ("botx pls, tmrw after 5?", "botx after"),
        ("hydrafacial w sloan next wk", "hydrafacial with sloan"),
        ("friday afternoon w julia pls", "with"),
        (
            "hey! do u have anything for lip filler this week? it's mia",
            "do you have anything for lip filler this",
        ),
        ("lines between my eyebrows", "lines between my eyebrows"),
        ("sun spots on my cheeks, any spots weds?", "sun spots on my cheeks any spots"),
        ("relleno de labios el sábado", "relleno de labios el"),
    ],
)
def test_service_text_drops_names_signatures_and_time_words(text: str, service_text: str) -> None:
    assert _read(text).service_text == service_text


def test_a_long_friendly_text_gives_everything_at_once() -> None:
    read = _read(
        "Hi! I'm looking to get botox for my forehead lines, how much is it? "
        "do you have anything saturday morning? Thanks, Rachel"
    )
    assert read.name == "Rachel" and read.greeting and read.thanks
    assert read.questions == frozenset({"price"})
    assert read.preference is not None and read.preference.dates == [date(2026, 12, 5)]
    assert read.preference.part_of_day == "morning"
    assert "botox" in read.service_text and "rachel" not in read.service_text
    assert "question:price" in read.notes and "name" in read.notes


@pytest.mark.parametrize(
    ("text", "sure"),
    [
        ("gracias", False),
        ("Hola, soy Lucía", True),
        ("quiero una cita para botox el sábado", True),
        ("¿Tienen citas?", True),
        ("sí", False),
        ("hola! can I book botox tomorrow?", True),
    ],
)
def test_language_is_sure_only_with_two_words_of_it(text: str, sure: bool) -> None:
    assert _read(text).language_sure is sure


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Olá, gostaria de marcar uma consulta", "other"),
        ("Xin chào, tôi muốn đặt lịch", "other"),
        ("你好，我想预约", "other"),
        ("thanks, see you mañana!", "en"),
        ("para el jueves después del trabajo", "es"),
    ],
)
def test_portuguese_vietnamese_chinese_are_other_and_a_spanish_word_leaves_english(
    text: str, language: str
) -> None:
    read = _read(text)
    assert read.language == language
    assert read.name is None


def test_an_hour_beyond_the_option_numbers_picks_the_option_at_that_hour() -> None:
    labels = ["Monday at 11am with Marco", "Monday at 11:15am with Marco", "Monday at 12pm with Sloane"]
    assert _read("11 works", labels=labels).choice == 0
    assert _read("12 is good", labels=labels).choice == 2
    assert _read("10 works", labels=labels).choice is None


def test_actually_wed_is_wednesday() -> None:
    read = _read("actually wed")
    assert read.preference is not None and read.preference.dates == [date(2026, 12, 2)]


def test_a_day_picked_at_a_time_that_option_lacks_is_no_pick() -> None:
    read = _read("Me gustaría una cita el sábado a las 4 de la tarde", labels=LABELS)
    assert read.choice is None
    assert read.preference is not None and read.preference.target_time == time(16, 0)
    assert _read("saturday at 3:15 works", labels=LABELS).choice == 2


@pytest.mark.parametrize(
    ("text", "labels", "choice", "shift"),
    [
        ("the earlier one", ["Friday at 2pm with Julia", "Friday at 4pm with Lilian"], 0, None),
        ("the later one pls", ["Friday at 2pm with Julia", "Friday at 4pm with Lilian"], 1, None),
        ("the later one", LABELS, None, None),
        ("either works", LABELS, 0, None),
        ("whichever is fine", LABELS, 0, None),
        ("anything later?", LABELS, None, "later"),
    ],
)
def test_earlier_later_and_either_between_offered_options(
    text: str, labels: list[str], choice: int | None, shift: str | None
) -> None:
    read = _read(text, labels=labels)
    assert (read.choice, read.shift) == (choice, shift)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ya no voy a ir mañana", "ya no voy a ir manana"),
        ("ya that works", "yes that works"),
        ("my RN said its fine", "my rn said it's fine"),
        ("cant rn", "can't right now"),
        ("stay out of the sun after ipl", "stay out of the sun after ipl"),
        ("sun after 3?", "sunday after 3?"),
        ("i sat around for an hour in the lobby", "i sat around for an hour in the lobby"),
        ("we sat at 3 for ages", "we sat at 3 for ages"),
        ("can i come sat around 2", "can i come saturday around 2"),
        ("tomo ibuprofeno puedo hacerme botox", "tomo ibuprofeno puedo hacerme botox"),
        ("botox tomo at 3", "botox tomorrow at 3"),
    ],
)
def test_shorthand_leaves_spanish_ya_and_a_nurse_alone(text: str, expected: str) -> None:
    assert plain(text) == expected
