from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("branding", "0002_draft_fonts_images_texts_and_custom_domains"),
    ]

    operations = [
        migrations.AddField(
            model_name="customdomain",
            name="lapsed_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="customdomain",
            name="lapse_failure",
            field=models.CharField(
                blank=True,
                choices=[
                    ("nxdomain", "The verification record does not exist (NXDOMAIN)."),
                    ("no_record", "The name exists but has no TXT record."),
                    ("wrong_token", "The TXT record does not hold this domain's token."),
                    ("timeout", "The DNS server did not answer in time."),
                    ("dns_error", "The DNS servers could not answer."),
                    ("taken", "Another portal already uses this domain."),
                ],
                max_length=16,
            ),
        ),
    ]
