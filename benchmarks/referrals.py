"""Benchmark: the services directory and a provider's referral queue with 100,000 referrals on file.

Run: .venv/bin/python benchmarks/referrals.py [--referrals 100000] [--services 300] [--repeat 10] [--seed 20261202]
What is timed (server time through Django's test client, SQLite in a throw-away data directory under /tmp):
(1) the whole directory as the programme office sees it (GET /referrals/services/), (2) the directory as a Police
referrer of one district sees it, (3) the busiest provider's referral page with its queue and overdue count
(GET /referrals/), (4) the same queue through the API (GET /api/referrals/queue), (5) the queue filtered to overdue
answers. Targets: each < 300 ms. Also timed, for information: recomputing every referral figure (the measures'
computed observations by unit and month) from the 100,000 referrals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--reuse", action="store_true", help="time again on the data directory a previous run set up (migrated first)")
    args = parser.parse_args()
    data = Path("/tmp/rocc-bench-referrals")
    if not args.reuse:
        shutil.rmtree(data, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ROCC_DATA_DIR"] = str(data)
    subprocess.run([sys.executable, "-m", "rocc.cli", "migrate"], env=env, check=True, capture_output=True)
    os.environ.update({"ROCC_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "rocc.settings"})
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    import numpy as np
    from django.test import Client
    from django.utils import timezone

    from rocc.core.tokens import token_issue
    from rocc.measures.services import _definitions_load
    from rocc.org.models import Agency, OrgUnit
    from rocc.org.services import defaults_load, user_create
    from rocc.referrals.models import DeclineReason, Outcome, Referral, ReferralStatus, Service
    from rocc.referrals.services import referral_figures_compute

    if args.reuse and Referral.objects.exists():
        time_pages(args, Agency, Referral, referral_figures_compute, token_issue, Client)
        return
    started = time.perf_counter()
    defaults_load()
    _definitions_load()
    rng = np.random.default_rng(args.seed)
    areas = list(OrgUnit.objects.filter(level="area"))
    districts = list(OrgUnit.objects.filter(level="district"))
    providers = [
        Agency.objects.create(short_name=f"Provider {n:02d}", name=f"Benchmark provider {n:02d}", kind=["iwi", "ngo", "pho"][n % 3]) for n in range(60)
    ]
    services = []
    for n in range(args.services):
        provider = providers[n % len(providers)]
        service = Service.objects.create(
            provider=provider,
            name=f"Service {n:03d} — whānau support",
            offers="Support and navigation for whānau affected by drug harm.",
            eligibility="Whānau and individuals referred by Police or Kāinga Ora.",
            capacity=["open", "open", "waiting", "closed"][n % 4],
            search_text=f"service {n:03d} whanau support",
        )
        district = districts[n % len(districts)]
        service.units_served.set([district, *[a for a in areas if a.parent_id == district.pk][:2]])
        services.append(service)
    referrer = user_create(username="bench-police", password="bench-password-long-1", role="analyst", units=[districts[1]], agency=None).user
    busiest = providers[0]
    user_create(username="bench-provider", password="bench-password-long-1", role="provider_reporter", units=[districts[1]], agency=busiest)
    user_create(username="bench-office", password="bench-password-long-1", role="programme_manager", units=[], agency=None)
    # One provider receives a tenth of all referrals (its services are every 60th); the rest spread over the others.
    now = timezone.now()
    statuses = [
        ReferralStatus.SENT,
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.CONTACTED,
        ReferralStatus.ENGAGED,
        ReferralStatus.OUTCOME,
        ReferralStatus.CLOSED,
    ]
    own = [s for s in services if s.provider_id == busiest.pk]
    others = [s for s in services if s.provider_id != busiest.pk]
    batch = []
    for i in range(args.referrals):
        service = own[i % len(own)] if rng.random() < 0.1 else others[int(rng.integers(len(others)))]
        made_at = now - dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 720)))
        status = statuses[int(rng.integers(len(statuses)))]
        unit = areas[int(rng.integers(len(areas)))]
        accepted = made_at + dt.timedelta(days=1) if status not in (ReferralStatus.SENT, ReferralStatus.DECLINED) else None
        contacted = (
            made_at + dt.timedelta(days=int(rng.integers(1, 10)))
            if status in (ReferralStatus.CONTACTED, ReferralStatus.ENGAGED, ReferralStatus.OUTCOME)
            else None
        )
        batch.append(
            Referral(
                service=service,
                provider_id=service.provider_id,
                unit=unit,
                referrer=referrer,
                made_at=made_at,
                response_due=made_at + dt.timedelta(days=5),
                status=status,
                reason="Benchmark referral",
                person_name="A person",
                contact_route="through_referrer",
                lawful_basis="other",
                other_basis="Benchmark basis",
                accepted_at=accepted,
                responded_at=accepted,
                decline_reason=DeclineReason.NO_CAPACITY if status == ReferralStatus.DECLINED else "",
                first_contact_at=contacted,
                engaged_at=contacted if status in (ReferralStatus.ENGAGED, ReferralStatus.OUTCOME) else None,
                outcome=Outcome.COMPLETED if status == ReferralStatus.OUTCOME else "",
            )
        )
        if len(batch) == 5000:
            Referral.objects.bulk_create(batch)
            batch = []
    Referral.objects.bulk_create(batch)
    print(
        f"setup: {Referral.objects.count():,} referrals, {Service.objects.count()} services of {len(providers)} providers; "
        f"the busiest provider holds {Referral.objects.filter(provider=busiest).count():,} ({time.perf_counter() - started:.0f} s)"
    )

    time_pages(args, Agency, Referral, referral_figures_compute, token_issue, Client)


def time_pages(args, Agency, Referral, referral_figures_compute, token_issue, Client) -> None:
    from django.contrib.auth import get_user_model

    from rocc.referrals.models import Service

    users = get_user_model().objects
    manager, referrer, reporter = (users.get(username=name) for name in ("bench-office", "bench-police", "bench-provider"))

    def timed(label: str, client: Client, path: str, headers: dict | None = None) -> None:
        client.get(path, **(headers or {}))  # warm the template and query caches
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            response = client.get(path, **(headers or {}))
            times.append(time.perf_counter() - t)
            assert response.status_code == 200, (path, response.status_code)
        print(f"{label}: median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms (target < 300 ms)")

    office, police, provider, api = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    office.force_login(manager)
    police.force_login(referrer)
    provider.force_login(reporter)
    timed(f"directory, whole ({Service.objects.count()} services, 50 a page), programme office", office, "/referrals/services/")
    timed("directory, a Police referrer's district", police, "/referrals/services/")
    timed("directory search 'whanau'", police, "/referrals/services/?q=whanau")
    timed("provider's referral page (queue of the 50 newest + overdue count)", provider, "/referrals/")
    timed("provider's queue, overdue only", provider, "/referrals/?overdue=1")
    token = token_issue(user=reporter, name="bench")
    timed("provider's queue through the API", api, "/api/referrals/queue", {"HTTP_AUTHORIZATION": f"Bearer {token}"})

    t = time.perf_counter()
    result = referral_figures_compute()
    print(
        f"recompute every referral figure: {result.observations:,} computed observations over {result.months} months in {result.units} units: {time.perf_counter() - t:.1f} s"
    )


if __name__ == "__main__":
    main()
