"""Peppol BIS Billing 3.0 UBL for our invoices and credit notes, built with lxml.

Pure and deterministic: the same `Document` always gives the same bytes (I-07), so a stored
invoice can be re-rendered and compared. Between state agencies there is no VAT: category O with
an exemption reason and no VAT identifiers (I-09, BR-O-02; ADR 0201). Other regimes get
category S at 25 % with the seller's VAT number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from .money import ore_to_decimal, to_ore

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
ORG_NUMBER_SCHEME = "0007"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ROOT_NS = {
    "invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "credit_note": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
NOT_SUBJECT_TO_VAT = "Ej föremål för moms: fakturering inom staten (ESV momshandledning 4.2)"
STANDARD_RATE = Decimal(25)


@dataclass(frozen=True)
class Party:
    name: str
    org_number: str  # ten digits, no hyphen
    city: str = ""
    country: str = "SE"


@dataclass(frozen=True)
class Line:
    line_id: str
    name: str
    quantity: Decimal
    unit_code: str
    price: Decimal
    base_quantity: Decimal
    amount_ore: int
    note: str = ""
    period: tuple[datetime.date, datetime.date] | None = None


@dataclass(frozen=True)
class Document:
    kind: str  # "invoice" | "credit_note"
    number: str
    issue_date: datetime.date
    due_date: datetime.date
    buyer_reference: str
    seller: Party
    buyer: Party
    period: tuple[datetime.date, datetime.date]
    lines: tuple[Line, ...]
    with_vat: bool = False
    bankgiro: str = ""
    note: str = ""
    billing_reference: tuple[str, datetime.date] | None = None
    payment_terms: str = "30 dagar netto"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def net_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines)

    @property
    def vat_ore(self) -> int:
        return vat_of(self.net_ore, self.with_vat)


def vat_of(net_ore: int, with_vat: bool) -> int:
    """The VAT of a net amount: none between state agencies (ADR 0201), else 25 %."""
    return to_ore(ore_to_decimal(net_ore) * STANDARD_RATE / 100) if with_vat else 0


def _el(
    parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _amount(parent: etree._Element, tag: str, ore: int) -> None:
    _el(parent, CBC, tag, f"{ore_to_decimal(ore)}", currencyID="SEK")


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text not in ("-0",) else "0"


def _party(parent: etree._Element, wrapper: str, party: Party, vat_id: str | None) -> None:
    node = _el(_el(parent, CAC, wrapper), CAC, "Party")
    _el(node, CBC, "EndpointID", party.org_number, schemeID=ORG_NUMBER_SCHEME)
    identification = _el(node, CAC, "PartyIdentification")
    _el(identification, CBC, "ID", party.org_number, schemeID=ORG_NUMBER_SCHEME)
    address = _el(node, CAC, "PostalAddress")
    if party.city:
        _el(address, CBC, "CityName", party.city)
    _el(_el(address, CAC, "Country"), CBC, "IdentificationCode", party.country)
    if vat_id:
        tax = _el(node, CAC, "PartyTaxScheme")
        _el(tax, CBC, "CompanyID", vat_id)
        _el(_el(tax, CAC, "TaxScheme"), CBC, "ID", "VAT")
    legal = _el(node, CAC, "PartyLegalEntity")
    _el(legal, CBC, "RegistrationName", party.name)
    _el(legal, CBC, "CompanyID", party.org_number)


def _tax_category(parent: etree._Element, tag: str, with_vat: bool, reason: bool) -> None:
    category = _el(parent, CAC, tag)
    _el(category, CBC, "ID", "S" if with_vat else "O")
    if with_vat:
        _el(category, CBC, "Percent", _decimal(STANDARD_RATE))
    elif reason:
        _el(category, CBC, "TaxExemptionReason", NOT_SUBJECT_TO_VAT)
    _el(_el(category, CAC, "TaxScheme"), CBC, "ID", "VAT")


def render(document: Document) -> bytes:
    """The UBL bytes of one invoice or credit note."""
    is_invoice = document.kind == "invoice"
    root_tag = "Invoice" if is_invoice else "CreditNote"
    root = etree.Element(
        f"{{{ROOT_NS[document.kind]}}}{root_tag}",
        nsmap={None: ROOT_NS[document.kind], "cac": CAC, "cbc": CBC},
    )
    _el(root, CBC, "CustomizationID", CUSTOMIZATION_ID)
    _el(root, CBC, "ProfileID", PROFILE_ID)
    _el(root, CBC, "ID", document.number)
    _el(root, CBC, "IssueDate", document.issue_date.isoformat())
    if is_invoice:
        _el(root, CBC, "DueDate", document.due_date.isoformat())
        _el(root, CBC, "InvoiceTypeCode", "380")
    else:
        _el(root, CBC, "CreditNoteTypeCode", "381")
    if document.note:
        _el(root, CBC, "Note", document.note)
    _el(root, CBC, "DocumentCurrencyCode", "SEK")
    _el(root, CBC, "BuyerReference", document.buyer_reference)
    period = _el(root, CAC, "InvoicePeriod")
    _el(period, CBC, "StartDate", document.period[0].isoformat())
    _el(period, CBC, "EndDate", document.period[1].isoformat())
    if document.billing_reference:
        reference = _el(_el(root, CAC, "BillingReference"), CAC, "InvoiceDocumentReference")
        _el(reference, CBC, "ID", document.billing_reference[0])
        _el(reference, CBC, "IssueDate", document.billing_reference[1].isoformat())
    seller_vat = f"SE{document.seller.org_number}01" if document.with_vat else None
    _party(root, "AccountingSupplierParty", document.seller, seller_vat)
    _party(root, "AccountingCustomerParty", document.buyer, None)
    if document.bankgiro:
        means = _el(root, CAC, "PaymentMeans")
        _el(means, CBC, "PaymentMeansCode", "30")
        _el(means, CBC, "PaymentID", document.number)
        account = _el(means, CAC, "PayeeFinancialAccount")
        _el(account, CBC, "ID", document.bankgiro)
        _el(_el(account, CAC, "FinancialInstitutionBranch"), CBC, "ID", "SE:BANKGIRO")
    _el(_el(root, CAC, "PaymentTerms"), CBC, "Note", document.payment_terms)

    net = document.net_ore
    vat = document.vat_ore
    tax_total = _el(root, CAC, "TaxTotal")
    _amount(tax_total, "TaxAmount", vat)
    subtotal = _el(tax_total, CAC, "TaxSubtotal")
    _amount(subtotal, "TaxableAmount", net)
    _amount(subtotal, "TaxAmount", vat)
    _tax_category(subtotal, "TaxCategory", document.with_vat, reason=True)
    totals = _el(root, CAC, "LegalMonetaryTotal")
    _amount(totals, "LineExtensionAmount", net)
    _amount(totals, "TaxExclusiveAmount", net)
    _amount(totals, "TaxInclusiveAmount", net + vat)
    _amount(totals, "PayableAmount", net + vat)

    line_tag, quantity_tag = (
        ("InvoiceLine", "InvoicedQuantity")
        if is_invoice
        else ("CreditNoteLine", "CreditedQuantity")
    )
    for line in document.lines:
        node = _el(root, CAC, line_tag)
        _el(node, CBC, "ID", line.line_id)
        if line.note:
            _el(node, CBC, "Note", line.note)
        _el(node, CBC, quantity_tag, _decimal(line.quantity), unitCode=line.unit_code)
        _amount(node, "LineExtensionAmount", line.amount_ore)
        if line.period:
            line_period = _el(node, CAC, "InvoicePeriod")
            _el(line_period, CBC, "StartDate", line.period[0].isoformat())
            _el(line_period, CBC, "EndDate", line.period[1].isoformat())
        item = _el(node, CAC, "Item")
        _el(item, CBC, "Name", line.name)
        _tax_category(item, "ClassifiedTaxCategory", document.with_vat, reason=False)
        price = _el(node, CAC, "Price")
        _el(price, CBC, "PriceAmount", _decimal(line.price), currencyID="SEK")
        if line.base_quantity != 1:
            _el(price, CBC, "BaseQuantity", _decimal(line.base_quantity), unitCode=line.unit_code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
