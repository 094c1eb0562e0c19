"""The dashboard's figures may be a little old; the assessment's never are."""

import pytest
from django.core.cache import cache

from appraisal.selectors.annual import organization_figures, recent_organization_figures
from tests.factories import CampaignFactory, StudyActivityFactory


@pytest.fixture
def cached(settings):
    settings.FIGURES_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_recent_figures_are_reused_within_the_cache_time(district, cached):
    campaign = CampaignFactory()
    before = recent_organization_figures(campaign)[district.branch.pk].activity_count

    StudyActivityFactory(campaign=campaign, organization=district.branch)

    assert recent_organization_figures(campaign)[district.branch.pk].activity_count == before
    assert organization_figures(campaign)[district.branch.pk].activity_count == before + 1


def test_recent_figures_are_kept_apart_per_subtree(district, cached):
    campaign = CampaignFactory()

    district_wide = recent_organization_figures(campaign)
    own = recent_organization_figures(campaign, district.other_committee)

    assert district.branch.pk in district_wide
    assert district.branch.pk not in own


def test_recent_figures_are_fresh_when_caching_is_off(district, settings):
    settings.FIGURES_CACHE_SECONDS = 0
    campaign = CampaignFactory()
    recent_organization_figures(campaign)

    StudyActivityFactory(campaign=campaign, organization=district.branch)

    assert recent_organization_figures(campaign)[district.branch.pk].activity_count == 1
