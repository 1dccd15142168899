"""The admin of curated labels kept in six languages (django-modeltranslation): a field per
language, and an empty translation saved as null, so a page shows the English in its place."""

from django.conf import settings
from modeltranslation.admin import TranslationAdmin as BaseTranslationAdmin
from modeltranslation.admin import TranslationInlineModelAdmin as BaseTranslationInline
from modeltranslation.fields import TranslationField


class UntranslatedIsNull:
    """An empty translation of a curated label is saved as null, as the fixtures hold it:
    not translated yet, so the page shows the English. Django's text fields would save ""
    instead, writing into every empty language on each save (and the review queue would list
    each as a change). English keeps Django's way."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        translation = isinstance(db_field, TranslationField)
        if translation and db_field.language != settings.LANGUAGE_CODE and field is not None:
            field.empty_value = None
        return field


class TranslationAdmin(UntranslatedIsNull, BaseTranslationAdmin):
    """The admin of a model with curated labels: a field per language (modeltranslation)."""


class TranslationInlineModelAdmin(UntranslatedIsNull, BaseTranslationInline):
    """The same for an inline's curated labels."""
