"""A hand-made FOCUS 1.2 bill of eleven rows that carries every column the FOCUS use-case library reads.

One provider ("Cloud"), two months (January and February 2025, invoices INV-1 and INV-2), two sub
accounts (sa-1 "Web", sa-2 "Data"), a savings plan c-1 (purchase R5 8.00, used R1 6.00, unused R3 2.00), a
capacity reservation cr-1 (used R1, unused R4), a marketplace publisher "Snow" selling credits (purchase
R6, usage R7 priced in the virtual currency CREDITS), a credit (R9), a correction of January billed in
February (R10) and data transfer in GB (R11). tests/test_focus_use_cases.py answers each use case on it by
hand; tests/test_billing_spark.py runs every query on it on DuckDB and Spark.

Totals: billed 8 + 5 + 0 + 1 + 8 + 50 + 10 + 16 - 3 - 1 + 9 = 103; effective 6 + 5 + 2 + 1 + 0 + 0 + 10 + 16 - 3
- 1 + 9 = 45.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from costlib import focus

JAN = {"BillingPeriodStart": "2025-01-01T00:00:00Z", "BillingPeriodEnd": "2025-02-01T00:00:00Z", "InvoiceId": "INV-1"}
FEB = {"BillingPeriodStart": "2025-02-01T00:00:00Z", "BillingPeriodEnd": "2025-03-01T00:00:00Z", "InvoiceId": "INV-2"}

BASE = {
    "ProviderName": "Cloud", "PublisherName": "Cloud", "InvoiceIssuerName": "Cloud", "BillingAccountId": "ba-1",
    "BillingAccountName": "Main", "BillingAccountType": "Billing Profile", "SubAccountId": "sa-1",
    "SubAccountName": "Web", "SubAccountType": "Subscription", "BillingCurrency": "USD", "PricingCurrency": "USD",
    "ChargeCategory": "Usage", "ChargeFrequency": "Usage-Based", "ServiceCategory": "Compute",
    "ServiceSubcategory": "Virtual Machines", "ServiceName": "VM", "RegionId": "us-east-1", "RegionName": "US East",
    "AvailabilityZone": "us-east-1a", "ResourceType": "Virtual Machine", "PricingUnit": "Hours",
    "ConsumedUnit": "Hours",
}
VM_D4 = '{"InstanceSeries": "D", "CoreCount": 4}'
VM_D2 = '{"InstanceSeries": "D", "CoreCount": "2"}'
C1 = {"CommitmentDiscountId": "c-1", "CommitmentDiscountName": "sp-1", "CommitmentDiscountType": "Savings Plan",
      "CommitmentDiscountCategory": "Spend"}


def _hour(start: str, hours: int = 1) -> dict:
    begin = pd.Timestamp(start)
    end = begin + pd.Timedelta(hours=hours)
    return {"ChargePeriodStart": begin.strftime("%Y-%m-%dT%H:%M:%SZ"), "ChargePeriodEnd": end.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _money(pq, lup, lc, cup, cc, bc, ec, cq=None) -> dict:
    return {"PricingQuantity": pq, "ListUnitPrice": lup, "ListCost": lc, "ContractedUnitPrice": cup,
            "ContractedCost": cc, "BilledCost": bc, "EffectiveCost": ec, "ConsumedQuantity": cq}


ROWS = [
    # R1: vm-1 covered by the savings plan and the capacity reservation
    {**JAN, **_hour("2025-01-05T00:00"), "ResourceId": "vm-1", "ResourceName": "web-1", "SkuId": "sku-a",
     "SkuPriceId": "p-a", "SkuPriceDetails": VM_D4, "ChargeDescription": "VM hours", **_money(10, 1, 10, 0.8, 8, 8, 6, 10),
     **C1, "CommitmentDiscountStatus": "Used", "CapacityReservationId": "cr-1", "CapacityReservationStatus": "Used",
     "Tags": '{"application": "shop", "team": "web"}', "PricingCurrencyEffectiveCost": 6,
     "PricingCurrencyListUnitPrice": 1, "PricingCurrencyContractedUnitPrice": 0.8},
    # R2: vm-2 on demand
    {**JAN, **_hour("2025-01-05T01:00"), "ResourceId": "vm-2", "ResourceName": "web-2", "SkuId": "sku-a",
     "SkuPriceId": "p-a", "SkuPriceDetails": VM_D2, "ChargeDescription": "VM hours", **_money(5, 1, 5, 1, 5, 5, 5, 5),
     "AvailabilityZone": "us-east-1b", "Tags": '{"team": "web"}', "PricingCurrencyEffectiveCost": 5,
     "PricingCurrencyListUnitPrice": 1, "PricingCurrencyContractedUnitPrice": 1},
    # R3: the savings plan's unused hour
    {**JAN, **_hour("2025-01-05T02:00"), "ChargeDescription": "Unused savings plan", **_money(0, None, 0, None, 0, 0, 2),
     "ConsumedUnit": None, **C1, "CommitmentDiscountStatus": "Unused", "PricingCurrencyEffectiveCost": 2},
    # R4: the capacity reservation's unused hour, on vm-1
    {**JAN, **_hour("2025-01-05T03:00"), "ResourceId": "vm-1", "ResourceName": "web-1", "SkuId": "sku-a",
     "SkuPriceId": "p-a", "ChargeDescription": "Unused capacity", **_money(1, 1, 1, 1, 1, 1, 1, 1),
     "CapacityReservationId": "cr-1", "CapacityReservationStatus": "Unused",
     "Tags": '{"application": "shop", "team": "web"}', "PricingCurrencyEffectiveCost": 1,
     "PricingCurrencyListUnitPrice": 1, "PricingCurrencyContractedUnitPrice": 1},
    # R5: the savings plan's monthly fee
    {**JAN, **_hour("2025-01-01T00:00", 31 * 24), "ChargeCategory": "Purchase", "ChargeFrequency": "Recurring",
     "ServiceName": "Savings Plans", "ServiceSubcategory": "Other", "ChargeDescription": "Savings plan fee",
     "SkuId": "sku-sp", "SkuPriceId": "p-sp", "PricingUnit": "Commitment", "ConsumedUnit": None,
     **_money(1, 8, 8, 8, 8, 8, 0), **C1, "CommitmentDiscountUnit": "USD", "CommitmentDiscountQuantity": 8,
     "PricingCurrencyEffectiveCost": 0},
    # R6: credits bought from the marketplace publisher Snow
    {**JAN, **_hour("2025-01-02T00:00"), "ChargeCategory": "Purchase", "ChargeFrequency": "One-Time",
     "PublisherName": "Snow", "ServiceName": "Warehouse", "ServiceCategory": "Analytics",
     "ServiceSubcategory": "Data Warehouses", "ChargeDescription": "Credit purchase", "SkuId": "sku-cr",
     "SkuPriceId": "p-cr", "PricingUnit": "Credits", "ConsumedUnit": None, **_money(100, 0.5, 50, 0.5, 50, 50, 0),
     "PricingCurrencyEffectiveCost": 0},
    # R7: warehouse usage priced in the virtual currency CREDITS, in sub account sa-2
    {**JAN, **_hour("2025-01-06T00:00"), "PublisherName": "Snow", "ServiceName": "Warehouse",
     "ServiceCategory": "Analytics", "ServiceSubcategory": "Data Warehouses", "ChargeDescription": "Warehouse compute",
     "ResourceId": "wh-1", "ResourceName": "wh-1", "ResourceType": "Warehouse", "SkuId": "sku-w", "SkuPriceId": "p-w",
     "PricingUnit": "Credits", "ConsumedUnit": "Credits", **_money(10, 1.5, 15, 1, 10, 10, 10, 10),
     "PricingCurrency": "CREDITS", "PricingCurrencyEffectiveCost": 20, "PricingCurrencyListUnitPrice": 3,
     "PricingCurrencyContractedUnitPrice": 2, "Tags": '{"application": "shop"}', "SubAccountId": "sa-2",
     "SubAccountName": "Data", "RegionId": "eu-west-1", "RegionName": "EU West", "AvailabilityZone": "eu-west-1a"},
    # R8: vm-1 in February, on demand
    {**FEB, **_hour("2025-02-03T00:00"), "ResourceId": "vm-1", "ResourceName": "web-1", "SkuId": "sku-a",
     "SkuPriceId": "p-a", "SkuPriceDetails": VM_D4, "ChargeDescription": "VM hours",
     **_money(20, 1, 20, 0.8, 16, 16, 16, 20), "AvailabilityZone": "us-east-1b",
     "Tags": '{"application": "shop", "team": "web"}', "PricingCurrencyEffectiveCost": 16,
     "PricingCurrencyListUnitPrice": 1, "PricingCurrencyContractedUnitPrice": 0.8},
    # R9: a promotional credit
    {**FEB, **_hour("2025-02-10T00:00"), "ChargeCategory": "Credit", "ChargeFrequency": "One-Time",
     "ChargeDescription": "Promotional credit", "ConsumedUnit": None, **_money(None, None, 0, None, 0, -3, -3),
     "PricingCurrencyEffectiveCost": -3},
    # R10: a correction of vm-2's January usage, billed in February
    {**FEB, **_hour("2025-01-20T00:00"), "ChargeClass": "Correction", "ResourceId": "vm-2", "ResourceName": "web-2",
     "SkuId": "sku-a", "SkuPriceId": "p-a", "ChargeDescription": "VM hours correction",
     **_money(-1, 1, -1, 1, -1, -1, -1, -1), "Tags": '{"team": "web"}', "PricingCurrencyEffectiveCost": -1,
     "PricingCurrencyListUnitPrice": 1, "PricingCurrencyContractedUnitPrice": 1},
    # R11: data transfer out of a bucket in sa-2, in GB
    {**FEB, **_hour("2025-02-04T00:00"), "ServiceCategory": "Networking", "ServiceSubcategory": "Network Traffic",
     "ServiceName": "Transfer", "ChargeDescription": "Data transfer out", "ResourceId": "bucket-1",
     "ResourceName": "bucket-1", "ResourceType": "Bucket", "SkuId": "sku-t", "SkuPriceId": "p-t", "PricingUnit": "GB",
     "ConsumedUnit": "GB", **_money(100, 0.09, 9, 0.09, 9, 9, 9, 100), "Tags": '{"team": "data"}',
     "SubAccountId": "sa-2", "SubAccountName": "Data", "RegionId": "eu-west-1", "RegionName": "EU West",
     "AvailabilityZone": None, "PricingCurrencyEffectiveCost": 9, "PricingCurrencyListUnitPrice": 0.09,
     "PricingCurrencyContractedUnitPrice": 0.09},
]


def write_bill(path: Path) -> Path:
    """Write the eleven rows as a FOCUS 1.2 CSV with every column (a missing value as an empty field)."""
    rows = [{**BASE, **row} for row in ROWS]
    frame = pd.DataFrame(rows, columns=list(focus.columns_of("1.2")))
    frame.to_csv(path, index=False)
    return path
