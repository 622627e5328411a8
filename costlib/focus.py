"""What the FinOps Open Cost and Usage Specification (FOCUS) says about a billing export's columns.

Spec knowledge only, no I/O: the columns of FOCUS 1.0, 1.1 and 1.2 with their types, which are Mandatory,
the enumerations whose values are fixed by the spec, and how a version is recognised from the columns
present. `costlib.billing` uses it to read, normalise and check an export.

A FOCUS export names its columns in PascalCase. Columns a provider adds beyond the spec start with
``x_`` (the spec's custom-column prefix) and are allowed; any other column the spec does not define
(the FOCUS sample's integer ``Id``) is kept out of the way: listed in the data-quality record, not read.

References
----------
FinOps Foundation, FOCUS specification v1.0 (2024-06), v1.1 (2024-11), v1.2 (2025-05): "Columns", each
column's "Column ID", "Feature level" and "Allowed values"; https://focus.finops.org/.
"""

from __future__ import annotations

from typing import Iterable

#: Versions this module knows, oldest first.
VERSIONS = ("1.0", "1.1", "1.2")

# Column types, in DuckDB/Ibis terms: money and quantities are float64, periods are UTC timestamps, Tags
# is a string-to-string map once parsed (FOCUS "KeyValueFormat": a JSON object serialised as a string).
DECIMAL = "float64"
STRING = "string"
TIMESTAMP = "timestamp"
TAGS = "map<string,string>"

#: Every FOCUS 1.0 column with its type.
COLUMNS_1_0: dict[str, str] = {
    "AvailabilityZone": STRING,
    "BilledCost": DECIMAL,
    "BillingAccountId": STRING,
    "BillingAccountName": STRING,
    "BillingCurrency": STRING,
    "BillingPeriodEnd": TIMESTAMP,
    "BillingPeriodStart": TIMESTAMP,
    "ChargeCategory": STRING,
    "ChargeClass": STRING,
    "ChargeDescription": STRING,
    "ChargeFrequency": STRING,
    "ChargePeriodEnd": TIMESTAMP,
    "ChargePeriodStart": TIMESTAMP,
    "CommitmentDiscountCategory": STRING,
    "CommitmentDiscountId": STRING,
    "CommitmentDiscountName": STRING,
    "CommitmentDiscountStatus": STRING,
    "CommitmentDiscountType": STRING,
    "ConsumedQuantity": DECIMAL,
    "ConsumedUnit": STRING,
    "ContractedCost": DECIMAL,
    "ContractedUnitPrice": DECIMAL,
    "EffectiveCost": DECIMAL,
    "InvoiceIssuerName": STRING,
    "ListCost": DECIMAL,
    "ListUnitPrice": DECIMAL,
    "PricingCategory": STRING,
    "PricingQuantity": DECIMAL,
    "PricingUnit": STRING,
    "ProviderName": STRING,
    "PublisherName": STRING,
    "RegionId": STRING,
    "RegionName": STRING,
    "ResourceId": STRING,
    "ResourceName": STRING,
    "ResourceType": STRING,
    "ServiceCategory": STRING,
    "ServiceName": STRING,
    "SkuId": STRING,
    "SkuPriceId": STRING,
    "SubAccountId": STRING,
    "SubAccountName": STRING,
    "Tags": TAGS,
}

#: Columns FOCUS 1.1 added.
ADDED_1_1: dict[str, str] = {
    "CapacityReservationId": STRING,
    "CapacityReservationStatus": STRING,
    "CommitmentDiscountQuantity": DECIMAL,
    "CommitmentDiscountUnit": STRING,
    "ServiceSubcategory": STRING,
    "SkuMeter": STRING,
    "SkuPriceDetails": STRING,
}

#: Columns FOCUS 1.2 added.
ADDED_1_2: dict[str, str] = {
    "BillingAccountType": STRING,
    "InvoiceId": STRING,
    "PricingCurrency": STRING,
    "PricingCurrencyContractedUnitPrice": DECIMAL,
    "PricingCurrencyEffectiveCost": DECIMAL,
    "PricingCurrencyListUnitPrice": DECIMAL,
    "SubAccountType": STRING,
}

#: Every column of any known version: the canonical table has all of them (absent ones as nulls).
ALL_COLUMNS: dict[str, str] = {**COLUMNS_1_0, **ADDED_1_1, **ADDED_1_2}

#: The 21 Mandatory columns; the same set in 1.0, 1.1 and 1.2.
MANDATORY = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
    "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
    "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory", "ServiceName",
)

#: Columns whose values the spec fixes, with their spelling in the spec.
ENUMERATIONS: dict[str, tuple[str, ...]] = {
    "ChargeCategory": ("Usage", "Purchase", "Tax", "Credit", "Adjustment"),
    "ChargeClass": ("Correction",),
    "ChargeFrequency": ("One-Time", "Recurring", "Usage-Based"),
    "CommitmentDiscountCategory": ("Spend", "Usage"),
    "CommitmentDiscountStatus": ("Used", "Unused"),
    "CapacityReservationStatus": ("Used", "Unused"),
    "PricingCategory": ("Standard", "Dynamic", "Committed", "Other"),
    "ServiceCategory": (
        "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
        "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
        "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security", "Storage",
        "Web", "Other",
    ),
}

#: The prefix of provider-defined custom columns.
CUSTOM_PREFIX = "x_"


def detect_version(columns: Iterable[str]) -> str:
    """The FOCUS version an export follows, from the columns it has.

    A column that only a later version defines decides: any 1.2 column makes it 1.2, else any 1.1
    column makes it 1.1, else 1.0.

    Parameters
    ----------
    columns : iterable of str
        The export's column names.

    Returns
    -------
    str
        ``"1.0"``, ``"1.1"`` or ``"1.2"``.

    Notes
    -----
    version = max{v : columns ∩ added(v) ≠ ∅}, with added(1.0) = every 1.0 column.

    References
    ----------
    FOCUS v1.1 and v1.2 release notes, "New columns".

    Examples
    --------
    >>> detect_version(["BilledCost", "ChargeCategory", "Tags"])
    '1.0'
    >>> detect_version(["BilledCost", "ServiceSubcategory"])
    '1.1'
    >>> detect_version(["BilledCost", "ServiceSubcategory", "InvoiceId"])
    '1.2'
    """
    present = set(columns)
    if present & set(ADDED_1_2):
        return "1.2"
    if present & set(ADDED_1_1):
        return "1.1"
    return "1.0"


def columns_of(version: str) -> dict[str, str]:
    """The columns a version defines, with their types.

    Examples
    --------
    >>> len(columns_of("1.0")), len(columns_of("1.1")), len(columns_of("1.2"))
    (43, 50, 57)
    """
    if version not in VERSIONS:
        raise ValueError(f"version = {version!r}: expected one of {', '.join(VERSIONS)}")
    out = dict(COLUMNS_1_0)
    if version in ("1.1", "1.2"):
        out.update(ADDED_1_1)
    if version == "1.2":
        out.update(ADDED_1_2)
    return out


def missing_mandatory(columns: Iterable[str]) -> list[str]:
    """The Mandatory columns an export lacks, in spec (alphabetical) order.

    Examples
    --------
    >>> missing_mandatory(["BilledCost"])[:3]
    ['BillingAccountId', 'BillingAccountName', 'BillingCurrency']
    >>> missing_mandatory(MANDATORY)
    []
    """
    present = set(columns)
    return [c for c in MANDATORY if c not in present]


def unknown_columns(columns: Iterable[str]) -> list[str]:
    """Columns that no known version defines and that are not ``x_`` custom columns (kept aside).

    Examples
    --------
    >>> unknown_columns(["BilledCost", "Id", "x_StorageClass"])
    ['Id']
    """
    return [c for c in columns if c not in ALL_COLUMNS and not c.startswith(CUSTOM_PREFIX)]


def custom_columns(columns: Iterable[str]) -> list[str]:
    """The provider's ``x_`` custom columns.

    Examples
    --------
    >>> custom_columns(["BilledCost", "x_StorageClass"])
    ['x_StorageClass']
    """
    return [c for c in columns if c.startswith(CUSTOM_PREFIX)]
