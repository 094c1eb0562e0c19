import time

from django.core.management.base import BaseCommand, CommandError

from campaigns.demo import (
    DEFAULT_MEMBERS,
    DEFAULT_ORGANIZATIONS,
    DEFAULT_SEED,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoDistrictError,
    build_demo_district,
    demo_district_exists,
    ensure_demo_logins,
)
from campaigns.models import Organization


class Command(BaseCommand):
    help = (
        "Build the demo district: this year's campaign with the notice's criteria, "
        "organizations, members and a year of records, plus the demo logins "
        f"({', '.join(login.username for login in DEMO_LOGINS)}; password {DEMO_PASSWORD}). "
        "Leaves an existing demo district alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orgs",
            type=int,
            default=DEFAULT_ORGANIZATIONS,
            metavar="N",
            help=f"number of Party organizations (default {DEFAULT_ORGANIZATIONS})",
        )
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            metavar="M",
            help=f"number of Party members (default {DEFAULT_MEMBERS})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="random seed; the same seed builds the same district",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when any Party organization exists already",
        )

    def handle(self, *args, orgs, members, seed, if_empty, verbosity, **options):
        """Build the district, or refresh the demo logins of one that exists."""
        started = time.monotonic()
        if if_empty and Organization.objects.exists():
            self.stdout.write("Organizations exist already; not seeding the demo district.")
            return
        if demo_district_exists():
            ensure_demo_logins()
            self.stdout.write(
                "A demo district exists already; left it alone and made sure the demo logins "
                f"work (password {DEMO_PASSWORD})."
            )
            return

        log = self.stdout.write if verbosity >= 1 else None
        self.stdout.write(f"Building the demo district: {orgs} organizations, {members} members")
        try:
            counts = build_demo_district(organizations=orgs, members=members, seed=seed, log=log)
        except DemoDistrictError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        if verbosity >= 2:
            for label, count in sorted(counts.items()):
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo district built in {elapsed:.1f} s ({sum(counts.values())} rows). "
                f"Logins: {', '.join(login.username for login in DEMO_LOGINS)}; "
                f"password {DEMO_PASSWORD}."
            )
        )
