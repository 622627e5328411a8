"""Every FOCUS use case the columns allow, answered on a hand-made bill against arithmetic written here.

The bill is tests/focus_use_case_bill.py: eleven rows R1..R11 (its docstring says what each is). Each test
runs one entry of `billing_queries.QUERIES` named in `billing_queries.USE_CASES` and compares the rows with
sums of those rows written out by hand (R1 + R2 ...), so a wrong filter or grouping shows as a wrong sum.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from costlib import billing
from costlib import billing_queries as Q
from tests.focus_use_case_bill import write_bill

JAN, FEB, MAR = "2025-01-01 00:00", "2025-02-01 00:00", "2025-03-01 00:00"


@pytest.fixture(scope="module")
def bill(tmp_path_factory):
    folder = tmp_path_factory.mktemp("use-cases")
    return billing.open_billing(write_bill(folder / "bill.csv"), cache_dir=folder / "cache")


def _value(v):
    if isinstance(v, pd.Timestamp):
        return (v.tz_localize("UTC") if v.tzinfo is None else v.tz_convert("UTC")).strftime("%Y-%m-%d %H:%M")
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    if hasattr(v, "item"):
        v = v.item()
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def answer(bill, name: str, **arguments) -> list[tuple]:
    """The rows of QUERIES[name] (its columns in order), timestamps as 'YYYY-MM-DD HH:MM' UTC, numbers as
    floats, nulls as None (`BillingData.query` returns rows sorted on their keys, whatever the query's own
    order: a query's order decides which rows a limit keeps, which the tests check)."""
    function, defaults = Q.QUERIES[name]
    frame = bill.query(function, **{**defaults, **arguments})
    rows = [tuple(_value(v) for v in row) for row in frame.astype(object).itertuples(index=False)]
    return rows


def same(got: list[tuple], expected: list[tuple]):
    """The same rows (floats to 1e-12), in any order."""
    key = lambda row: tuple((x is None, str(x)) for x in row)  # noqa: E731
    got, expected = sorted(got, key=key), sorted(expected, key=key)
    assert len(got) == len(expected), (got, expected)
    for g, e in zip(got, expected):
        assert len(g) == len(e), (g, e)
        for a, b in zip(g, e):
            if isinstance(b, float):
                assert a == pytest.approx(b, rel=1e-12, abs=1e-12), (g, e)
            else:
                assert a == b, (g, e)


def test_every_use_case_of_the_library_has_a_query_named_in_its_docstring_with_a_bound():
    """53 use cases of the FOCUS 1.2 library, 52 queries (two use cases share the same SQL)."""
    assert len(Q.USE_CASES) == 53 and len(set(Q.USE_CASES.values())) == 52
    for title, name in Q.USE_CASES.items():
        function, _ = Q.QUERIES[name]
        doc = " ".join(function.__doc__.split())
        assert f'"{title}"' in doc, (title, name)
        assert "Bound:" in doc and "https://focus.finops.org/use-case/" in doc, name


def test_bill_totals(bill):
    assert bill.quality.rows == 11 and bill.quality.version == "1.2"
    assert bill.quality.billed_cost == pytest.approx(103.0) and bill.quality.effective_cost == pytest.approx(45.0)


# ---------------------------------------------------------------------------------------------------
# Accounts, invoices, credits


def test_billing_and_sub_accounts(bill):
    # sa-1: R1-R6, R8-R10 (9 rows); sa-2: R7, R11.
    same(answer(bill, "use_case_billing_and_sub_accounts"),
         [("Cloud", "ba-1", "Main", "Billing Profile", "sa-1", "Web", "Subscription", 9.0),
          ("Cloud", "ba-1", "Main", "Billing Profile", "sa-2", "Data", "Subscription", 2.0)])


def test_sources_of_billed_cost(bill):
    same(answer(bill, "use_case_sources_of_billed_cost"),
         [("Cloud", "Cloud", "Cloud", "INV-1", 8 + 5 + 0 + 1 + 8.0),       # R1-R5
          ("Cloud", "Snow", "Cloud", "INV-1", 50 + 10.0),                  # R6, R7
          ("Cloud", "Cloud", "Cloud", "INV-2", 16 - 3 - 1 + 9.0)])         # R8-R11


def test_credit_memos(bill):
    same(answer(bill, "use_case_credit_memos"), [("Cloud", "INV-2", -3.0)])  # R9


def test_invoice_reconciliation_and_invoice_totals(bill):
    same(answer(bill, "use_case_invoice_reconciliation"), [("Cloud", "INV-1", 82.0), ("Cloud", "INV-2", 21.0)])
    same(answer(bill, "use_case_invoice_totals"), [("Cloud", "ba-1", "Main", "USD", 103.0)])
    same(answer(bill, "use_case_invoice_totals_by_service"),
         [("Cloud", "ba-1", "Main", "USD", "VM", 8 + 5 + 0 + 1 + 16 - 3 - 1.0),
          ("Cloud", "ba-1", "Main", "USD", "Savings Plans", 8.0),
          ("Cloud", "ba-1", "Main", "USD", "Warehouse", 60.0),
          ("Cloud", "ba-1", "Main", "USD", "Transfer", 9.0)])


def test_budgets(bill):
    same(answer(bill, "use_case_budgets"), [("Cloud", JAN, FEB, 82.0), ("Cloud", FEB, MAR, 21.0)])
    # application=shop: January R1 8 + R4 1 + R7 10 = 19 (the other 63 untagged); February R8 16 (5 untagged).
    same(answer(bill, "use_case_budgets_by_application", key="application"),
         [("Cloud", JAN, FEB, "shop", 19.0), ("Cloud", JAN, FEB, None, 63.0),
          ("Cloud", FEB, MAR, "shop", 16.0), ("Cloud", FEB, MAR, None, 5.0)])


def test_application_cost_by_currency(bill):
    same(answer(bill, "use_case_application_cost_by_currency", key="application"),
         [("shop", "Cloud", "ba-1", "Main", "USD", 19 + 16.0), (None, "Cloud", "ba-1", "Main", "USD", 103 - 35.0)])


def test_usage_billed_by_sub_account(bill):
    same(answer(bill, "use_case_usage_billed_by_sub_account"),
         [("Cloud", "sa-1", "Web", 8 + 5 + 0 + 1 + 16 - 1.0),   # usage R1-R4, R8, R10
          ("Cloud", "sa-2", "Data", 10 + 9.0)])                # R7, R11


def test_corrections(bill):
    same(answer(bill, "use_case_corrections"), [(FEB, "Cloud", "ba-1", "Usage", "Compute", "VM", -1.0)])  # R10
    same(answer(bill, "use_case_corrections_by_sub_account"), [(FEB, "Cloud", "ba-1", "Compute", "sa-1", "Web", -1.0)])


def test_discounts_applied_keeps_rows_whose_charge_class_is_null(bill):
    """R10 (the correction) is out; the other rows have a null ChargeClass and count."""
    same(answer(bill, "use_case_discounts_applied"),
         [("Cloud", "ba-1", "Main", "USD", "VM", 6 + 5 + 2 + 1 + 16 - 3.0, 10 + 5 + 0 + 1 + 20 + 0.0,
           8 + 5 + 0 + 1 + 16 - 3.0, 27 / 27),
          ("Cloud", "ba-1", "Main", "USD", "Savings Plans", 0.0, 8.0, 8.0, 0.0),
          ("Cloud", "ba-1", "Main", "USD", "Warehouse", 10.0, 50 + 15.0, 60.0, 10 / 60),
          ("Cloud", "ba-1", "Main", "USD", "Transfer", 9.0, 9.0, 9.0, 1.0)])


# ---------------------------------------------------------------------------------------------------
# Services, categories, regions, periods


def test_costs_by_service_category_and_subcategory(bill):
    same(answer(bill, "use_case_costs_by_service_category"),
         [("Cloud", "USD", JAN, "Compute", 8 + 5 + 0 + 1 + 8.0), ("Cloud", "USD", JAN, "Analytics", 60.0),
          ("Cloud", "USD", FEB, "Compute", 16 - 3 - 1.0), ("Cloud", "USD", FEB, "Networking", 9.0)])
    same(answer(bill, "use_case_costs_by_service_subcategory"),
         [("Cloud", "USD", JAN, "Compute", "Virtual Machines", 14.0), ("Cloud", "USD", JAN, "Compute", "Other", 8.0),
          ("Cloud", "USD", JAN, "Analytics", "Data Warehouses", 60.0),
          ("Cloud", "USD", FEB, "Compute", "Virtual Machines", 12.0),
          ("Cloud", "USD", FEB, "Networking", "Network Traffic", 9.0)])


def test_service_costs_by_sub_account_and_period(bill):
    same(answer(bill, "use_case_service_costs_by_sub_account_and_period"),
         [(JAN, "Cloud", "sa-1", "Web", "VM", 14.0, 6 + 5 + 2 + 1.0), (JAN, "Cloud", "sa-1", "Web", "Savings Plans", 8.0, 0.0),
          (JAN, "Cloud", "sa-1", "Web", "Warehouse", 50.0, 0.0), (JAN, "Cloud", "sa-2", "Data", "Warehouse", 10.0, 10.0),
          (FEB, "Cloud", "sa-1", "Web", "VM", 12.0, 16 - 3 - 1.0), (FEB, "Cloud", "sa-2", "Data", "Transfer", 9.0, 9.0)])


def test_spending_by_billing_period_and_service(bill):
    acct = ("Cloud", "Main", "ba-1", "USD")
    same(answer(bill, "use_case_spending_by_billing_period_and_service"),
         [(*acct, JAN, "Compute", "VM", 14.0), (*acct, JAN, "Compute", "Savings Plans", 8.0),
          (*acct, JAN, "Analytics", "Warehouse", 60.0), (*acct, FEB, "Compute", "VM", 12.0),
          (*acct, FEB, "Networking", "Transfer", 9.0)])


DAYS = {"2025-01-01 00:00": ("us-east-1", "Savings Plans", "sa-1", 0.0),   # R5
        "2025-01-02 00:00": ("us-east-1", "Warehouse", "sa-1", 0.0),       # R6
        "2025-01-05 00:00": ("us-east-1", "VM", "sa-1", 6 + 5 + 2 + 1.0),  # R1-R4
        "2025-01-06 00:00": ("eu-west-1", "Warehouse", "sa-2", 10.0),      # R7
        "2025-01-20 00:00": ("us-east-1", "VM", "sa-1", -1.0),             # R10
        "2025-02-03 00:00": ("us-east-1", "VM", "sa-1", 16.0),             # R8
        "2025-02-04 00:00": ("eu-west-1", "Transfer", "sa-2", 9.0),        # R11
        "2025-02-10 00:00": ("us-east-1", "VM", "sa-1", -3.0)}             # R9


def test_service_costs_by_region_and_by_provider_sub_account_per_day(bill):
    same(answer(bill, "use_case_service_costs_by_region"),
         [(day, "Cloud", region, service, cost) for day, (region, service, _, cost) in DAYS.items()])
    same(answer(bill, "use_case_service_costs_by_provider_sub_account"),
         [(day, "Cloud", service, sub, cost) for day, (_, service, sub, cost) in DAYS.items()])


def test_daily_anomaly_series_at_three_levels(bill):
    same(answer(bill, "use_case_daily_cost_by_sub_account"),
         [(day, "Cloud", sub, cost) for day, (_, _, sub, cost) in DAYS.items()])
    names = {"us-east-1": "US East", "eu-west-1": "EU West"}
    same(answer(bill, "use_case_daily_cost_by_region"),
         [(day, "Cloud", sub, region, names[region], cost) for day, (region, _, sub, cost) in DAYS.items()])
    same(answer(bill, "use_case_daily_cost_by_service"),
         [(day, "Cloud", sub, region, names[region], service, cost) for day, (region, service, sub, cost) in DAYS.items()])


def test_service_costs_month_over_month(bill):
    # By the month of ChargePeriodStart: R10 (charged 20 January) is January's.
    same(answer(bill, "use_case_service_costs_month_over_month"),
         [(JAN, "Cloud", "VM", 6 + 5 + 2 + 1 - 1.0), (JAN, "Cloud", "Savings Plans", 0.0),
          (JAN, "Cloud", "Warehouse", 0 + 10.0), (FEB, "Cloud", "VM", 16 - 3.0), (FEB, "Cloud", "Transfer", 9.0)])


def test_application_cost_month_over_month(bill):
    same(answer(bill, "use_case_application_cost_month_over_month", key="application"),
         [(JAN, "shop", "VM", 6 + 1.0), (JAN, "shop", "Warehouse", 10.0), (FEB, "shop", "VM", 16.0)])


def test_monthly_cost_by_service_for_cash_and_amortized_forecasts(bill):
    same(answer(bill, "use_case_monthly_billed_by_service"),
         [(JAN, "Cloud", "Compute", "VM", 14.0), (JAN, "Cloud", "Compute", "Savings Plans", 8.0),
          (JAN, "Cloud", "Analytics", "Warehouse", 60.0), (FEB, "Cloud", "Compute", "VM", 12.0),
          (FEB, "Cloud", "Networking", "Transfer", 9.0)])
    same(answer(bill, "use_case_monthly_effective_by_service"),
         [(JAN, "Cloud", "Compute", "VM", "Usage", 14.0), (JAN, "Cloud", "Compute", "Savings Plans", "Purchase", 0.0),
          (JAN, "Cloud", "Analytics", "Warehouse", "Purchase", 0.0), (JAN, "Cloud", "Analytics", "Warehouse", "Usage", 10.0),
          (FEB, "Cloud", "Compute", "VM", "Usage", 16 - 1.0), (FEB, "Cloud", "Compute", "VM", "Credit", -3.0),
          (FEB, "Cloud", "Networking", "Transfer", "Usage", 9.0)])


def test_costs_by_availability_zone(bill):
    same(answer(bill, "use_case_costs_by_availability_zone"),
         [("sa-1", "Cloud", "US East", "us-east-1a", JAN, 6 + 2 + 1 + 0 + 0.0),   # R1, R3, R4, R5, R6
          ("sa-1", "Cloud", "US East", "us-east-1b", JAN, 5.0),                   # R2
          ("sa-2", "Cloud", "EU West", "eu-west-1a", JAN, 10.0),                  # R7
          ("sa-1", "Cloud", "US East", "us-east-1b", FEB, 16.0),                  # R8
          ("sa-1", "Cloud", "US East", "us-east-1a", FEB, -3 - 1.0),              # R9, R10
          ("sa-2", "Cloud", "EU West", None, FEB, 9.0)])                          # R11


def test_sub_accounts_by_region(bill):
    same(answer(bill, "use_case_sub_accounts_by_region"),
         [("Cloud", "sa-1", "us-east-1", "US East", 9.0), ("Cloud", "sa-2", "eu-west-1", "EU West", 2.0)])


def test_top_services_by_sub_account(bill):
    # Effective: sa-1 VM 26, sa-2 Warehouse 10, sa-2 Transfer 9, then sa-1 Savings Plans and Warehouse at 0.
    same(answer(bill, "use_case_top_services_by_sub_account", top_n=3),
         [("sa-1", "Web", "VM", 6 + 5 + 2 + 1 + 16 - 3 - 1.0), ("sa-2", "Data", "Warehouse", 10.0),
          ("sa-2", "Data", "Transfer", 9.0)])


# ---------------------------------------------------------------------------------------------------
# Resources, SKUs, usage, unit economics


def test_resource_component_costs(bill):
    vm = "Virtual Machine"
    same(answer(bill, "use_case_resource_component_costs"),
         [("vm-1", "web-1", vm, "VM hours", "sku-a", 6 + 16.0), ("wh-1", "wh-1", "Warehouse", "Warehouse compute", "sku-w", 10.0),
          ("bucket-1", "bucket-1", "Bucket", "Data transfer out", "sku-t", 9.0), ("vm-2", "web-2", vm, "VM hours", "sku-a", 5.0),
          ("vm-1", "web-1", vm, "Unused capacity", "sku-a", 1.0),
          ("vm-2", "web-2", vm, "VM hours correction", "sku-a", -1.0)])
    same(answer(bill, "use_case_resource_component_costs", resource_id="vm-1"),
         [("vm-1", "web-1", vm, "VM hours", "sku-a", 22.0), ("vm-1", "web-1", vm, "Unused capacity", "sku-a", 1.0)])


def test_compute_resources_by_sub_account_with_min_and_max_charge_period(bill):
    same(answer(bill, "use_case_compute_resources_by_sub_account"),
         [("sa-1", "VM", "vm-1", "web-1", "2025-01-05 00:00", "2025-02-03 01:00", 10 + 1 + 20.0, 6 + 1 + 16.0),  # R1 R4 R8
          ("sa-1", "VM", "vm-2", "web-2", "2025-01-05 01:00", "2025-01-20 01:00", 5 - 1.0, 5 - 1.0)])           # R2 R10


def test_metered_costs_by_sku_price_earliest_first(bill):
    same(answer(bill, "use_case_metered_costs_by_sku_price", top_n=3),
         [("2025-01-01 00:00", "2025-02-01 00:00", "Cloud", "sku-sp", "p-sp", "Commitment", 8.0, 1.0, 8.0, 0.0),   # R5
          ("2025-01-02 00:00", "2025-01-02 01:00", "Cloud", "sku-cr", "p-cr", "Credits", 0.5, 100.0, 50.0, 0.0),  # R6
          ("2025-01-05 00:00", "2025-01-05 01:00", "Cloud", "sku-a", "p-a", "Hours", 1.0, 10.0, 10.0, 6.0)])      # R1
    assert len(answer(bill, "use_case_metered_costs_by_sku_price")) == 9  # every row with a SkuPriceId


def test_usage_month_over_month_from_consumed_quantity(bill):
    same(answer(bill, "use_case_usage_month_over_month"),
         [(JAN, "Cloud", "VM", "vm-1", "sku-a", "Hours", 10 + 1.0),      # R1, R4
          (JAN, "Cloud", "VM", "vm-2", "sku-a", "Hours", 5 - 1.0),       # R2, R10
          (JAN, "Cloud", "VM", None, None, None, None),                  # R3: no consumed quantity
          (JAN, "Cloud", "Warehouse", "wh-1", "sku-w", "Credits", 10.0),  # R7
          (FEB, "Cloud", "VM", "vm-1", "sku-a", "Hours", 20.0),          # R8
          (FEB, "Cloud", "Transfer", "bucket-1", "sku-t", "GB", 100.0)])  # R11


def test_unit_economics_from_consumed_quantity(bill):
    same(answer(bill, "use_case_unit_economics"),
         [("2025-01-05 00:00", "Hours", 8 + 5 + 1.0, 6 + 5 + 1.0, 10 + 5 + 1.0, 14 / 16, 12 / 16),  # R1, R2, R4
          ("2025-01-06 00:00", "Credits", 10.0, 10.0, 10.0, 1.0, 1.0),                             # R7
          ("2025-01-20 00:00", "Hours", -1.0, -1.0, -1.0, 1.0, 1.0),                               # R10
          ("2025-02-03 00:00", "Hours", 16.0, 16.0, 20.0, 0.8, 0.8),                               # R8
          ("2025-02-04 00:00", "GB", 9.0, 9.0, 100.0, 0.09, 0.09)])                                # R11
    # The library's example: cost per GB of data transfer.
    same(answer(bill, "use_case_unit_economics", consumed_unit="GB", description_contains="transfer"),
         [("2025-02-04 00:00", "GB", 9.0, 9.0, 100.0, 0.09, 0.09)])


def test_component_resource_rate_and_usage_from_sku_price_details(bill):
    # CoreCount 4 (R1), "2" quoted (R2), 4 (R8): 10 cores, effective 6 + 5 + 16 = 27, 2.70 a core.
    same(answer(bill, "use_case_component_resource_rate"),
         [("Cloud", "VM", "Hours", "US East", "D", 10.0, 27.0, 2.7)])
    same(answer(bill, "use_case_component_resource_usage"),
         [("2025-01-05 00:00", "Cloud", "VM", "Hours", "US East", "D", 4 + 2.0, 10 + 5.0),
          ("2025-02-03 00:00", "Cloud", "VM", "Hours", "US East", "D", 4.0, 20.0)])


def test_historical_usage_and_rates(bill):
    same(answer(bill, "use_case_historical_usage_and_rates"),
         [("Cloud", JAN, FEB, "Compute", "VM", "us-east-1", "US East", "Hours", 14.0, 10 + 5 + 0 + 1.0, 14 / 16),
          ("Cloud", JAN, FEB, "Compute", "Savings Plans", "us-east-1", "US East", "Commitment", 0.0, 1.0, 0.0),
          ("Cloud", JAN, FEB, "Analytics", "Warehouse", "us-east-1", "US East", "Credits", 0.0, 100.0, 0.0),
          ("Cloud", JAN, FEB, "Analytics", "Warehouse", "eu-west-1", "EU West", "Credits", 10.0, 10.0, 1.0),
          ("Cloud", FEB, MAR, "Compute", "VM", "us-east-1", "US East", "Hours", 16 - 3 - 1.0, 20 - 1.0, 12 / 19),
          ("Cloud", FEB, MAR, "Networking", "Transfer", "eu-west-1", "EU West", "GB", 9.0, 100.0, 0.09)])


# ---------------------------------------------------------------------------------------------------
# Virtual currency (PricingCurrency columns, FOCUS 1.2)


def test_virtual_currency_consumption(bill):
    same(answer(bill, "use_case_virtual_currency_consumption"),
         [("Cloud", "USD", 6 + 5 + 2 + 1 + 16 - 1 + 9.0), ("Cloud", "CREDITS", 20.0)])  # usage rows only


def test_virtual_currency_targets(bill):
    same(answer(bill, "use_case_virtual_currency_targets", top_n=3),
         [("USD", "Cloud", "Cloud", "VM", "VM hours", 6 + 5 + 16.0), ("CREDITS", "Cloud", "Snow", "Warehouse",
                                                                       "Warehouse compute", 20.0),
          ("USD", "Cloud", "Cloud", "Transfer", "Data transfer out", 9.0)])


def test_effective_cost_by_pricing_currency(bill):
    same(answer(bill, "use_case_effective_cost_by_pricing_currency"),
         [("Cloud", "Cloud", "VM", "USD", 6 + 5 + 2 + 1 + 16 - 3 - 1.0, 26.0), ("Cloud", "Cloud", "Savings Plans", "USD", 0.0, 0.0),
          ("Cloud", "Snow", "Warehouse", "USD", 0.0, 0.0), ("Cloud", "Snow", "Warehouse", "CREDITS", 20.0, 10.0),
          ("Cloud", "Cloud", "Transfer", "USD", 9.0, 9.0)])


def test_virtual_currency_purchases_sum_pricing_quantity(bill):
    same(answer(bill, "use_case_virtual_currency_purchases"),
         [("Cloud", "Cloud", "Savings plan fee", "Commitment", "USD", 1.0, 8.0),
          ("Cloud", "Snow", "Credit purchase", "Credits", "USD", 100.0, 50.0)])


def test_virtual_currency_contracted_savings(bill):
    # R1, R8: pricing-currency gap 0.2 each, savings 0.2 x 10 + 0.2 x 20 = 6; list - contracted (10 - 8) + (20 - 16) = 6.
    # R7: gap 3 - 2 = 1, billing gap 1.5 - 1 = 0.5, savings 1 x 10 = 10 CREDITS and 15 - 10 = 5 USD.
    same(answer(bill, "use_case_virtual_currency_contracted_savings"),
         [("VM", "Virtual Machines", "VM hours", "USD", "USD", 0.2 + 0.2, 0.2 + 0.2, 2.0 + 4.0, 2.0 + 4.0),
          ("Warehouse", "Data Warehouses", "Warehouse compute", "USD", "CREDITS", 1.0, 0.5, 10.0, 5.0)])


# ---------------------------------------------------------------------------------------------------
# Tags, commitments, capacity reservations, savings rates, marketplace


def test_tag_coverage_over_positive_effective_cost(bill):
    """EffectiveCost > 0 rows: R1 6, R2 5, R3 2, R4 1, R7 10, R8 16, R11 9 = 49; with application: R1, R4, R7,
    R8 = 33; the credit (R9) and the correction (R10) are outside the base."""
    same(answer(bill, "use_case_tag_coverage", key="application"), [("Cloud", 49.0, 33.0, 7.0, 33 / 49)])
    same(answer(bill, "use_case_tag_coverage", key="nope"), [("Cloud", 49.0, 0.0, 7.0, 0.0)])


def test_recurring_commitment_charges_and_purchases(bill):
    same(answer(bill, "use_case_recurring_commitment_charges"), [(JAN, "c-1", "sp-1", "Savings Plan", "Recurring", 8.0)])
    same(answer(bill, "use_case_commitment_discount_purchases"),
         [("Cloud", "ba-1", "c-1", "Savings Plan", "USD", 8.0, "Recurring", "2025-01-01 00:00", "2025-02-01 00:00", 8.0)])


def test_unused_commitments(bill):
    same(answer(bill, "use_case_unused_commitments"),
         [("Cloud", "ba-1", "c-1", "Savings Plan", "2025-01-05 02:00", "2025-01-05 03:00", 0.0, 2.0)])  # R3


def test_effective_cost_of_compute_by_commitment_type(bill):
    same(answer(bill, "use_case_effective_cost_of_compute"),
         [("Savings Plan", "Cloud", "VM", "sa-1", "Web", JAN, 6 + 2.0), (None, "Cloud", "VM", "sa-1", "Web", JAN, 5 + 1.0),
          ("Savings Plan", "Cloud", "Savings Plans", "sa-1", "Web", JAN, 0.0),
          (None, "Cloud", "VM", "sa-1", "Web", FEB, 16 - 3 - 1.0)])


def test_capacity_reservations(bill):
    same(answer(bill, "use_case_capacity_reservations_on_compute"),
         [("Compute using Capacity Reservation", "Cloud", "ba-1", 8.0, 6.0),                       # R1
          ("Unused Capacity Reservation", "Cloud", "ba-1", 1.0, 1.0),                              # R4
          ("Compute without Capacity Reservation", "Cloud", "ba-1", 5 + 0 + 8 + 16 - 3 - 1.0,        # R2 R3 R5 R8 R9 R10
           5 + 2 + 0 + 16 - 3 - 1.0)])
    same(answer(bill, "use_case_unused_capacity_reservations"), [("Cloud", "ba-1", "cr-1", "Unused", 1.0, 1.0)])


def test_effective_savings_rate_by_service(bill):
    same(answer(bill, "use_case_effective_savings_rate_by_service"),
         [("Cloud", "VM", 8 + 5 + 0 + 1 + 16 + 0 - 1.0, 26.0, (29 - 26) / 29), ("Cloud", "Savings Plans", 8.0, 0.0, 1.0),
          ("Cloud", "Warehouse", 60.0, 10.0, 50 / 60), ("Cloud", "Transfer", 9.0, 9.0, 0.0)])


def test_effective_savings_rate_per_row(bill):
    """Rows with ListCost > 0, lowest savings over list first: R2, R4, R11 at 0; R8 (20 - 16) / 20; R7
    (15 - 10) / 15; R1 (10 - 6) / 10 and over contract (8 - 6) / 8; R5, R6 at 1."""
    rows = [(r[1], r[6], r[7]) for r in answer(bill, "use_case_effective_savings_rate_rows")]
    same(rows, [(2.0, 0.0, 0.0), (4.0, 0.0, 0.0), (11.0, 0.0, 0.0), (8.0, 0.2, 0.0), (7.0, 1 / 3, 0.0),
                (1.0, 0.4, 0.25), (5.0, 1.0, 1.0), (6.0, 1.0, 1.0)])


def test_marketplace_vendor_costs(bill):
    same(answer(bill, "use_case_marketplace_vendor_costs"),
         [("2025-01-02 00:00", "Cloud", "Snow", "Cloud", "2025-01-02 00:00", "2025-01-02 01:00", 0.0),   # R6
          ("2025-01-06 00:00", "Cloud", "Snow", "Cloud", "2025-01-06 00:00", "2025-01-06 01:00", 10.0)])  # R7
