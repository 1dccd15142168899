import json

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wcit.models import Claim, ClaimRelation, Clause, Country, Source, Speaker

FORMAT = """
Each file is a JSON list of objects:
  {"key": "wsws-01", "source": "<source slug>", "quote": "<exact passage>",
   "prefix": "", "suffix": "", "summary": "<one sentence>", "speaker": "<slug>" | null,
   "countries": ["se"], "clauses": ["5b"], "kind": "fact|opinion|quote|prediction",
   "stance": "for|against|neutral|", "signature_status": "signed|not_signed|undecided|walked_out|",
   "relations": [{"kind": "supports|rebuts", "to": "<key of another claim in the files>"}]}
"""


class Command(BaseCommand):
    help = (
        "Add claims from JSON draft files, checking every quote against its source. "
        "Nothing is saved unless every claim of every file is valid." + FORMAT
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument(
            "--status",
            choices=Claim.Status.values,
            default=Claim.Status.DRAFT,
            help="Publication status of the new claims (default: draft).",
        )

    def handle(self, *args, files, status, **options):
        drafts = []
        for name in files:
            with open(name, encoding="utf-8") as handle:
                drafts.extend(json.load(handle))
        errors = []
        by_key = {}
        with transaction.atomic():
            for draft in drafts:
                key = draft.get("key", "?")
                try:
                    by_key[key] = self.create(draft, status)
                except (ObjectDoesNotExist, ValidationError, KeyError) as error:
                    errors.append(f"{key}: {self.describe(error)}")
            for draft in drafts:
                for relation in draft.get("relations", []):
                    target = by_key.get(relation["to"])
                    if target is None or draft["key"] not in by_key:
                        errors.append(f"{draft['key']}: relation to unknown claim {relation['to']}")
                        continue
                    ClaimRelation.objects.create(
                        from_claim=by_key[draft["key"]], to_claim=target, kind=relation["kind"]
                    )
            if errors:
                transaction.set_rollback(True)
        if errors:
            raise CommandError(
                f"{len(errors)} of {len(drafts)} claims refused; nothing saved:\n"
                + "\n".join(errors)
            )
        self.stdout.write(f"Added {len(by_key)} claims.")

    @staticmethod
    def describe(error):
        if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
            return "; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items())
        if isinstance(error, KeyError):
            return f"missing field {error}"
        return str(error)

    @staticmethod
    def create(draft, status):
        claim = Claim(
            source=Source.objects.get_by_natural_key(draft["source"]),
            quote=draft["quote"],
            prefix=draft.get("prefix", ""),
            suffix=draft.get("suffix", ""),
            summary=draft["summary"],
            speaker=Speaker.objects.get_by_natural_key(draft["speaker"])
            if draft.get("speaker")
            else None,
            kind=draft["kind"],
            stance=draft.get("stance", ""),
            signature_status=draft.get("signature_status", ""),
            status=status,
        )
        claim.full_clean()
        claim.save()
        claim.countries.set([Country.objects.get_by_natural_key(c) for c in draft["countries"]])
        claim.clauses.set([Clause.objects.get_by_natural_key(c) for c in draft["clauses"]])
        return claim
