"""The WCIT-12 debate: countries, clauses, sources, speakers and the claims tying them together.

One module per concern, each importing only those above it in this list: ``choices``
and ``documents`` (what the database computes for search), ``base`` (natural keys,
passages), ``chronology``, ``comparison`` and ``answers`` (the claims' record in date
order, what they say of several countries at once, and their stored answer counts, which
its signals keep right: mixins of their QuerySet), ``corpus`` (countries,
speakers, sources, clauses), ``claims`` (claims and their relations), ``figures`` (events
and key figures cited from claims), ``disputes``, ``statements`` (statements a source
quotes whole, with the claims cut from them), ``revisions`` (changes to published content
waiting for a reviewer); and ``version``, when any of it last changed.
"""

from .base import BASELINE_REASON, Keyed, Passage
from .choices import ClaimKind, ClaimStance, PublicationStatus, SignatureStatus
from .claims import ROW_FIELDS, Claim, ClaimRelation
from .corpus import Clause, ClauseText, Country, Source, Speaker
from .disputes import Dispute, Position, with_concerns
from .figures import ClaimEvent, KeyFigure
from .revisions import Revision
from .statements import Statement
from .version import DataVersion

__all__ = [
    "BASELINE_REASON",
    "ROW_FIELDS",
    "Claim",
    "ClaimEvent",
    "ClaimKind",
    "ClaimRelation",
    "ClaimStance",
    "Clause",
    "ClauseText",
    "Country",
    "DataVersion",
    "Dispute",
    "KeyFigure",
    "Keyed",
    "Passage",
    "Position",
    "PublicationStatus",
    "Revision",
    "SignatureStatus",
    "Source",
    "Speaker",
    "Statement",
    "with_concerns",
]
