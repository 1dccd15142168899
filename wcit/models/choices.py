"""The enumerations claims are classified by, shared by the models that name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimKind(models.TextChoices):
    FACT = "fact", _("Fact")
    OPINION = "opinion", _("Opinion")
    QUOTE = "quote", _("Quote (reported speech)")
    PREDICTION = "prediction", _("Prediction")


class ClaimStance(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    NEUTRAL = "neutral", _("Neutral")


class SignatureStatus(models.TextChoices):
    SIGNED = "signed", _("Signed")
    NOT_SIGNED = "not_signed", _("Did not sign")
    UNDECIDED = "undecided", _("Undecided")
    WALKED_OUT = "walked_out", _("Walked out")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
