"""Security operations (issue 17, Measure): importing a synthetic Trivy report of 100,000 findings
against parsing the same JSON alone in the same run (floor: within 5×), the importer's peak
memory, the fan-out of one critical finding on a component every service uses to all agencies,
and the p95 of a customer agency's findings page with every finding stored.

    make bench-security      (python bench/bench_security.py [--findings 100000] [--agencies 347]
                              [--services 20] [--rounds 20])

1. **import**: `services.import_report` of the file, as `samdrift security import` does it
   (recognise the format, check every field, deduplicate, write in batches in one transaction,
   audit; a file over 4 MB is streamed, ADR 0971) of a Trivy schema-2 report with `--findings`
   vulnerabilities in 100 results; **baseline**: `json.loads` of the same bytes. A second
   baseline: the least any import must do, `json.loads` and one `executemany` INSERT of a row
   per finding into the same table (no checks, no deduplication, rolled back); it shows how
   much of the import is the database's own work, which the first ratio counts against it. Then the same
   file again (nothing new: the checksum), and a newer report with 10 % of the findings gone
   (marked fixed), under tracemalloc for its peak memory.
1b. **large file**: reading every finding of a report of `--large-findings` (streamed) against
   `json.loads` of it, each timed and, in a second run, under tracemalloc for its peak memory.
   The same for a Greenbone XML report of `--large-xml-results` results, against defusedxml
   parsing the whole file into a tree (what a whole-file reader must do first).
2. **fan-out**: `selectors.reach_of` of one critical finding on a component used by every
   service (services depending on each other in a chain), reaching every agency.
3. **customer page**: p95 of `GET /security/findings/` for an agency member with all findings
   stored (Django's test client, production settings are not needed for the ratio), against the
   bare indexed query of the same first 200 rows.

A throw-away SQLite database in a temporary folder. Exits 1 when the 5× floor fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from support import exit_with_throwaway_sqlite

FLOOR = 5.0


def trivy_report(findings: int, drop_every: int = 0) -> bytes:
    results = []
    per = max(findings // 100, 1)
    n = 0
    for r in range(100):
        vulns = []
        for _ in range(per):
            n += 1
            if drop_every and n % drop_every == 0:
                continue
            vulns.append({
                "VulnerabilityID": f"CVE-2026-{n:06d}", "PkgName": f"pkg-{n % 5000}",
                "InstalledVersion": f"1.{n % 97}.0", "FixedVersion": f"1.{n % 97}.1",
                "Severity": ("CRITICAL", "HIGH", "MEDIUM", "LOW")[n % 4],
                "Title": f"Flaw number {n} in pkg-{n % 5000}",
            })  # fmt: skip
        results.append({"Target": f"image-layer-{r}", "Class": "os-pkgs", "Type": "alpine",
                        "Vulnerabilities": vulns})  # fmt: skip
    return json.dumps({"SchemaVersion": 2, "ArtifactName": "bench:latest",
                       "ArtifactType": "container_image", "Results": results}).encode()  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=347)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--large-findings", type=int, default=1_000_000)
    parser.add_argument("--large-xml-results", type=int, default=200_000)
    options = parser.parse_args()
    exit_with_throwaway_sqlite("bench-security-", run, options)


def run(options: argparse.Namespace) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from samdrift.accounts.selectors import actor_for_user
    from samdrift.catalogue.models import ServiceDependency
    from samdrift.security import selectors, services
    from samdrift.security.models import Component, Finding
    from samdrift.tests.factories import (
        MembershipFactory,
        OrganisationFactory,
        ServiceFactory,
        SubscriptionFactory,
        UserFactory,
    )

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    provider = OrganisationFactory(name="Försäkringskassan", kind="provider")
    soc_user = UserFactory(username="soc")
    MembershipFactory(user=soc_user, organisation=provider, role="security")
    soc = actor_for_user(soc_user, loa_rank=3)
    chain = [ServiceFactory(code=f"S{i:02d}", provider=provider) for i in range(options.services)]
    for upper, lower in zip(chain[1:], chain, strict=False):
        ServiceDependency.objects.create(service=upper, depends_on=lower)
    agencies = [OrganisationFactory(name=f"Myndighet {i:03d}") for i in range(options.agencies)]
    for i, agency in enumerate(agencies):
        SubscriptionFactory(organisation=agency, service=chain[i % len(chain)])
    services.component_register(actor=soc, name="base-image", kind="image", version="1",
                                service_codes=[chain[0].code])  # fmt: skip
    data = trivy_report(options.findings)
    print(f"bench-security: {options.findings:,} findings ({len(data) / 1e6:.1f} MB of Trivy "
          f"JSON), {options.agencies} agencies, {options.services} services in a chain; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip

    folder = Path(tempfile.mkdtemp(prefix="bench-security-files-"))
    first, second = folder / "trivy.json", folder / "trivy-newer.json"
    first.write_bytes(data)
    newer = trivy_report(options.findings, drop_every=10)
    second.write_bytes(newer)

    def soc_component_id() -> int:
        return Component.objects.get(name="base-image").pk

    def imported(path: Path):  # type: ignore[no-untyped-def]
        return lambda: services.import_report(actor=soc, component_name="base-image", path=path)

    parse_s = min(_timed(lambda: json.loads(data)) for _ in range(3))
    bare_s = min(_timed(lambda: _bare_write(data, soc_component_id())) for _ in range(2))
    import_s = _timed(imported(first))
    stored = Finding.objects.count()
    again_s = _timed(imported(first))
    # Peak memory of a re-scan (the file streamed, one batch of known findings at a time):
    # tracemalloc slows Python down, so this run is not the timed one.
    tracemalloc.start()
    newer_s = _timed(imported(second))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    fixed = Finding.objects.filter(status="fixed").count()
    large = _large_file(folder, options.large_findings)
    large_xml = _large_xml_file(folder, options.large_xml_results)
    shutil.rmtree(folder, ignore_errors=True)
    ratio = import_s / parse_s
    print(f"  import      {import_s:7.2f} s  {stored / import_s:9,.0f} findings/s   "
          f"parse alone {parse_s:6.2f} s   ratio {ratio:4.1f}x  (floor {FLOOR:.0f}x: "
          f"{'met' if ratio <= FLOOR else 'FAILED'})")  # fmt: skip
    print(f"              against parsing and the bare INSERT of the same rows (no checks, no "
          f"deduplication, rolled back) {bare_s:6.2f} s: {import_s / bare_s:4.1f}x")  # fmt: skip
    print(f"  same file   {again_s:7.3f} s  (recognised by its checksum, nothing written)")
    print(f"  newer file  {newer_s:7.2f} s  under tracemalloc ({fixed:,} findings it no longer "
          f"lists marked fixed); peak memory {peak / 1e6:.1f} MB for a "
          f"{len(newer) / 1e6:.1f} MB file")  # fmt: skip
    print(large)
    print(large_xml)

    critical = Finding.objects.filter(severity="critical", status="open").first()
    fan = [_timed(lambda: selectors.reach_of(critical)) for _ in range(5)]
    reach = selectors.reach_of(critical)
    print(
        f"  fan-out     {statistics.median(fan) * 1000:7.1f} ms  one critical finding reaches "
        f"{len(reach.direct) + len(reach.through)} services and {len(reach.agencies)} agencies"
    )

    member = UserFactory(username="kund")
    MembershipFactory(user=member, organisation=agencies[-1], role="member")
    client = Client()
    client.force_login(member)
    assert client.get("/security/findings/").status_code == 200
    page = [_timed(lambda: client.get("/security/findings/")) for _ in range(options.rounds)]
    sql = ("SELECT id, vulnerability_id, severity, first_seen FROM security_finding "
           "WHERE component_id IN (SELECT id FROM security_component) "
           "ORDER BY severity, first_seen, id LIMIT 200")  # fmt: skip

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()

    base = [_timed(bare) for _ in range(options.rounds)]
    p95, b95 = _p95(page), _p95(base)
    print(
        f"  customer page p95 {p95 * 1000:7.1f} ms (first 200 of {stored:,} findings) "
        f"against the bare query p95 {b95 * 1000:.1f} ms: {p95 / b95:.1f}x"
    )
    print(f"  load average at the end: {os.getloadavg()[0]:.1f}")
    return 0 if ratio <= FLOOR else 1


BARE_INSERT = (
    "INSERT INTO security_finding (component_id, tool, dedup_key, vulnerability_id, aliases, "
    "severity, title, package_name, package_version, fixed_version, location, status, "
    "justification, first_seen, last_seen, fixed_at, first_run_id, last_run_id) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _bare_write(data: bytes, component_id: int) -> None:
    """The least an import must do: parse the JSON, make one row per finding from its fields
    and insert them with one executemany into the findings table, in a transaction rolled back
    at the end (so the timed import after it starts from the same empty table)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from samdrift.security.models import ImportRun

    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.create(component_id=component_id, tool="bare", report_format="trivy",
                                       checksum="0" * 64, imported_at=now, imported_by="bench")  # fmt: skip
        moment = now.isoformat() if connection.vendor == "sqlite" else now
        rows = [
            (component_id, "bare", f"{result['Target']}|{v['PkgName']}|{v['VulnerabilityID']}",
             v["VulnerabilityID"], "[]", v["Severity"].lower(), v["Title"], v["PkgName"],
             v["InstalledVersion"], v["FixedVersion"], result["Target"], "open", "", moment,
             moment, None, run.pk, run.pk)
            for result in json.loads(data)["Results"] for v in result["Vulnerabilities"]
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.executemany(BARE_INSERT, rows)
        transaction.set_rollback(True)


def _large_file(folder: Path, findings: int) -> str:
    """Every finding of a large report read streamed, against json.loads of the same file."""
    from samdrift.security import parsers

    path = folder / "large.json"
    path.write_bytes(trivy_report(findings))
    size = path.stat().st_size

    def streamed() -> int:
        with parsers.read_report(path) as report:
            return sum(1 for _ in report.findings)

    def whole() -> None:
        json.loads(path.read_bytes())

    lines = [f"  large file  {findings:,} findings, {size / 1e6:.0f} MB"]
    lines += _time_and_peak(
        (("streamed, every finding read", streamed), ("json.loads alone", whole))
    )
    path.unlink()
    return "\n".join(lines)


def _large_xml_file(folder: Path, results: int) -> str:
    """Every result of a large Greenbone report read streamed, against defusedxml's whole tree."""
    from defusedxml.ElementTree import parse

    from samdrift.security import parsers

    path = folder / "large.xml"
    with path.open("w") as file:
        file.write('<report id="r"><report id="i"><results>')
        for n in range(results):
            file.write(
                f'<result id="r{n}"><name>Flaw {n}</name><host>10.0.{n // 250}.{n % 250}</host>'
                f'<port>443/tcp</port><nvt oid="1.3.6.1.4.1.25623.1.0.{n}"><name>NVT {n}</name>'
                f'<refs><ref id="CVE-2026-{n:06d}" type="cve"/></refs></nvt>'
                f"<severity>7.5</severity><description>{'y' * 300}</description></result>"
            )
        file.write("</results></report></report>")
    size = path.stat().st_size

    def streamed() -> int:
        with parsers.read_report(path) as report:
            return sum(1 for _ in report.findings)

    def whole() -> None:
        parse(str(path), forbid_dtd=True)

    lines = [f"  large XML   {results:,} Greenbone results, {size / 1e6:.0f} MB"]
    lines += _time_and_peak(
        (("streamed, every finding read", streamed), ("defusedxml tree alone", whole))
    )
    path.unlink()
    return "\n".join(lines)


def _time_and_peak(works) -> list[str]:  # type: ignore[no-untyped-def]
    lines = []
    for name, work in works:
        seconds = _timed(work)
        tracemalloc.start()
        work()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        lines.append(f"    {name:30} {seconds:7.2f} s  peak memory {peak / 1e6:8.1f} MB")
    return lines


def _timed(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
