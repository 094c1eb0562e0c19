"""The fast <select> the list filters use for the district's thousands of organizations."""

import pytest
from django import forms
from django.test.html import parse_html

from campaigns.widgets import PlainSelect, plain_selects


class _Form(forms.Form):
    org = forms.ChoiceField(
        choices=[("", "全部"), ("1", "甲公司党委"), ("2", "<b>乙</b> & 丙")], required=False
    )
    grouped = forms.ChoiceField(choices=[("x", "X"), ("组", [("1", "一"), ("2", "二")])])
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    text = forms.CharField(required=False)


def _both(data):
    """The form's fields rendered by Django's Select and by PlainSelect."""
    django_form = _Form(data)
    django_html = {name: str(django_form[name]) for name in django_form.fields}
    fast_form = _Form(data)
    plain_selects(fast_form)
    return django_html, {name: str(fast_form[name]) for name in fast_form.fields}, fast_form


@pytest.mark.parametrize("data", [None, {"org": "2", "grouped": "2", "many": ["a", "b"]}])
def test_plain_select_markup_same_as_django(data):
    django_html, fast_html, _form = _both(data)
    for name in ("org", "grouped", "text", "many"):
        assert parse_html(fast_html[name]) == parse_html(django_html[name]), name


def test_plain_select_escapes_labels():
    _django, fast_html, _form = _both({"org": "1"})
    assert "&lt;b&gt;乙&lt;/b&gt; &amp; 丙" in fast_html["org"]
    assert '<option value="1" selected>甲公司党委</option>' in fast_html["org"]


def test_plain_selects_leaves_other_widgets():
    _django, _fast, form = _both(None)
    assert type(form.fields["org"].widget) is PlainSelect
    assert type(form.fields["many"].widget) is forms.SelectMultiple
    assert type(form.fields["text"].widget) is forms.TextInput
