"""The curated labels readers see, translatable into each of the site's languages.

django-modeltranslation adds ``<field>_<lang>`` beside each field named here (``question_fr``,
``title_zh_hans``, ...) and makes ``obj.question`` read the active language's, falling back
to English (MODELTRANSLATION_FALLBACK_LANGUAGES) where a translation is empty. Only labels
curators write for readers: the sources' texts and the claims' quotes and summaries are
never translated (they are what the sources say, in the sources' words).

Each model's history (django-simple-history) gets the same fields, so that a translation is
versioned, reviewed and reverted like the label it translates.
"""

from modeltranslation.translator import TranslationOptions, translator

from .models import ClaimEvent, Clause, Dispute, KeyFigure, Position, Speaker

# model: the fields translated. The fixtures carry every language's (export_fixtures).
TRANSLATED = {
    Clause: ("title", "description"),
    Dispute: ("question", "summary"),
    Position: ("label",),
    Speaker: ("role",),
    KeyFigure: ("label",),
    ClaimEvent: ("what",),
}

for model, names in TRANSLATED.items():
    options = type(f"{model.__name__}Translation", (TranslationOptions,), {"fields": names})
    translator.register(model, options)
    history = getattr(model, "history", None)
    if history is not None:
        translator.register(history.model, options)
