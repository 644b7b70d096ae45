"""Which language a client writes in: English, Spanish, or other.

Pure: no I/O. Texts are short ("gracias", "Hola, soy Lucía", "hola! can I book botox?"), so this
counts words that belong to one language only, rather than guessing from letters: a Spanish name
or a lone "hola!" in an English text leaves it English. A text written mostly in a non-Latin script,
or in words of another language the spa does not speak, is "other".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from .shorthand import folded

__all__ = ["Language", "detect_language", "identify"]

Language = Literal["en", "es", "other"]

# Words that are Spanish and not English (accent-free, case-folded). Names, "no", "me" are neutral.
SPANISH = frozenset(
    """
    hola buenas buenos dias tardes noches gracias muchas favor porfa porfavor quiero quisiera queria
    necesito gustaria puedo puede podria podemos tienen tiene tengo hay cita citas agendar reservar
    hacer cuanto cuanta cuesta cuestan vale precio precios donde cuando como que quien cual soy llamo
    nombre es esta estan estoy el la los las un una unos unas del al de para por con sin mi mis tu su
    manana tarde noche semana proxima proximo esta este lunes martes miercoles jueves viernes sabado
    domingo hoy ayer despues antes temprano mediodia hora horas horario si claro perfecto vale bueno
    bien listo dale adios luego hasta pronto primera primero segunda segundo tercera tercero ultima
    ultimo opcion numero otra otro otros otras dia labios arrugas frente ojos patas gallo cara piel
    tratamiento tratamientos consulta relleno depilacion estacionamiento direccion ubicacion abren
    cierran abierto ninguna ninguno sirve funciona puedes podrias quisieramos tambien pero porque
    mejor mas menos muy caro barato descuento ofertas oferta y o nos vemos senora senorita
    """.split()
)
# Words that are English and not Spanish.
ENGLISH = frozenset(
    """
    hi hey hello yes yeah yep yup thanks thank you your i i'm im me my we our the a an and or but to
    of in on at for with from is are was be been have has had do does did can could would will want
    need like book booking appointment available availability any anything something time today
    tomorrow morning afternoon evening night week weekend next this that these those what when where
    how who which much price cost please pls ok okay sure great good sounds works work just get got
    monday tuesday wednesday thursday friday saturday sunday open close closed address parking
    facial filler laser lips lip lines forehead soonest earliest later earlier after before around
    about it it's its there here not nope other day days one two first second third last
    """.split()
)
# Words of languages the spa may not speak, common in short texts (French, Portuguese, Italian, German).
OTHER = frozenset(
    """
    bonjour merci je voudrais rendez vous est avec pour oui non bonsoir salut
    obrigado obrigada voce voces gostaria marcar horario amanha uma nao sim estou tenho quero tudo obrigadinha
    ciao grazie buongiorno vorrei appuntamento domani
    hallo danke bitte ich mochte termin morgen guten
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SPANISH_MARKS = re.compile(r"[¿¡]")
# Letters with marks Spanish never uses (Portuguese ã õ ç, French è ê, Vietnamese ơ ư đ, ...).
_OTHER_MARKS = re.compile(r"[àâãäåçèêëìîïòôõöøùûýÿœæđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")


def _non_latin_share(text: str) -> float:
    if text.isascii():
        return 0.0
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    foreign = sum(1 for ch in letters if not unicodedata.name(ch, "LATIN").startswith("LATIN"))
    return foreign / len(letters)


def _scores(text: str) -> tuple[int, int, int]:
    """Counts of words only English, only Spanish (plus 2 for ¿ ¡, 1 for ñ) and only another language
    (plus 2 for letters Spanish does not write)."""
    words = _WORD.findall(folded(text))
    lowered = text.lower()
    es = sum(1 for w in words if w in SPANISH) + (2 if _SPANISH_MARKS.search(lowered) else 0)
    es += 1 if "ñ" in lowered else 0
    en = sum(1 for w in words if w in ENGLISH)
    other = sum(1 for w in words if w in OTHER and w not in SPANISH and w not in ENGLISH)
    other += 2 if _OTHER_MARKS.search(lowered) else 0
    return en, es, other


def detect_language(text: str) -> Language:
    """The language of a client's text; "en" when it cannot tell (an emoji, a number, a name)."""
    return identify(text)[0]


def identify(text: str) -> tuple[Language, bool]:
    """The language of the text and whether the text is sure of it (two or more words of it).

    "gracias" alone is Spanish but not sure: a bilingual client may thank in Spanish and go on in English.
    """
    if _non_latin_share(text) > 0.5:
        return "other", True
    en, es, other = _scores(text)
    if other and other > es and other > en:
        return "other", other >= 2
    if es and es > en:
        return "es", es >= 2
    return "en", en >= 2
