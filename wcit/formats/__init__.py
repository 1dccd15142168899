"""Date and number formats where Django's own for a language are not the site's."""
