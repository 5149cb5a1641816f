"""Course.price (Decimal, major units) becomes Course.price_amount (integer minor units of
the course's currency): 49.90 EUR → 4990, 1500 JPY → 1500, 1.250 KWD → 1250. A stored price
with more decimals than its currency has (10.50 JPY) is rounded half up to the minor unit."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations, models

# The exponents as core.money has them on the day of this migration (a migration must not
# change when the code it would import changes).
_EXPONENT_0 = set(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
_EXPONENT_3 = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
_EXPONENT_4 = {"CLF", "UYW"}


def _exponent(currency):
    if currency in _EXPONENT_0:
        return 0
    if currency in _EXPONENT_3:
        return 3
    if currency in _EXPONENT_4:
        return 4
    return 2


def to_minor_units(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    for course in Course.objects.exclude(price=0).only("pk", "price", "currency").iterator():
        minor = Decimal(course.price).scaleb(_exponent(course.currency))
        amount = int(minor.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        Course.objects.filter(pk=course.pk).update(price_amount=amount)


def to_major_units(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    for course in Course.objects.exclude(price_amount=0).only("pk", "price_amount", "currency"):
        major = Decimal(course.price_amount).scaleb(-_exponent(course.currency))
        price = major.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        Course.objects.filter(pk=course.pk).update(price=price)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_lesson_is_preview"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="price_amount",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(to_minor_units, to_major_units),
        migrations.RemoveConstraint(
            model_name="course",
            name="course_price_not_negative",
        ),
        migrations.RemoveField(
            model_name="course",
            name="price",
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=models.Q(("price_amount__gte", 0)), name="course_price_not_negative"
            ),
        ),
    ]
