from django.http import Http404


def queue(request, **kwargs):
    raise Http404


def record(request, **kwargs):
    raise Http404
