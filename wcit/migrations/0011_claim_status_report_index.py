"""A partial index on the few claims that report a signature status.

Country pages, the country list and the map read each country's status reports;
without it PostgreSQL visits every claim about the country to find them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("wcit", "0010_claim_search_document")]

    operations = [
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=~models.Q(signature_status=""),
                fields=["id"],
                name="claim_status_report_idx",
            ),
        ),
    ]
