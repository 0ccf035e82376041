from django.http import Http404


def search(request, **kwargs):
    raise Http404


def detail(request, **kwargs):
    raise Http404


def report(request, **kwargs):
    raise Http404


def contact(request, **kwargs):
    raise Http404


def deposit(request, **kwargs):
    raise Http404


def wasted_trip(request, **kwargs):
    raise Http404


def my_reports(request, **kwargs):
    raise Http404


def owner_confirm(request, **kwargs):
    raise Http404
