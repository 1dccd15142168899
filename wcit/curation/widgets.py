"""The admin's autocomplete select, made valid HTML, for every curated form."""

from django.contrib.admin.widgets import AutocompleteSelect


class LabelledAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete select, with an empty choice that is valid HTML.

    Django's has none when the field is required (a required <select> must
    have one) and an empty, unlabelled one otherwise: the Nu HTML Checker
    counts both as errors.
    """

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options.pop(0)
        options.insert(0, self.create_option(name, "", "---------", False, 0))
        return groups


class AutocompleteMixin:
    """Use ``LabelledAutocompleteSelect`` for the single-choice autocomplete fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LabelledAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
