"""The enumerations claims are classified by, shared by the models that name them."""

from django.db import models


class ClaimKind(models.TextChoices):
    FACT = "fact", "Fact"
    OPINION = "opinion", "Opinion"
    QUOTE = "quote", "Quote (reported speech)"
    PREDICTION = "prediction", "Prediction"


class ClaimStance(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    NEUTRAL = "neutral", "Neutral"


class SignatureStatus(models.TextChoices):
    SIGNED = "signed", "Signed"
    NOT_SIGNED = "not_signed", "Did not sign"
    UNDECIDED = "undecided", "Undecided"
    WALKED_OUT = "walked_out", "Walked out"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
