"""Writes of the fee model. Each public function: check the actor, validate everything, then one
transaction with one audit record; nothing partial is ever written.

The heavy lifting (building a month's drafts, closing a year) is deterministic: inputs are read
in a fixed order, every split uses the largest-remainder method with a stable key, and the
content hash of what would be written decides whether anything changes (I-06, I-07).
"""

from .allocation import allocate_year, fee_base, run_allocation
from .closing import close_year, full_cost_by_service, year_figures
from .correcting import correct_unreadable_invoice, suggested_texts
from .costs import ImportResult, create_allocation_rule, import_costs, import_costs_csv
from .drafting import DraftInvoice, DraftLine, build_period
from .exit import settle_exit
from .fee_areas import bill_service, create_fee_area
from .prices import create_price_version
from .proposal import FeeProposal, propose_fees
from .runs import RunOutcome, check_run, run_period
from .sealing import credit_invoice, finalise_run
from .usage import import_usage_csv, record_project_time, record_usage

__all__ = [
    "DraftInvoice",
    "DraftLine",
    "FeeProposal",
    "ImportResult",
    "RunOutcome",
    "allocate_year",
    "bill_service",
    "build_period",
    "check_run",
    "close_year",
    "correct_unreadable_invoice",
    "create_allocation_rule",
    "create_fee_area",
    "create_price_version",
    "credit_invoice",
    "fee_base",
    "finalise_run",
    "full_cost_by_service",
    "import_costs",
    "import_costs_csv",
    "import_usage_csv",
    "propose_fees",
    "record_project_time",
    "record_usage",
    "run_allocation",
    "run_period",
    "settle_exit",
    "suggested_texts",
    "year_figures",
]
