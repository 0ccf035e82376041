from django.http import Http404


def listing_list(request, **kwargs):
    raise Http404


def listing_create(request, **kwargs):
    raise Http404


def listing_detail(request, **kwargs):
    raise Http404


def listing_edit(request, **kwargs):
    raise Http404


def listing_publish(request, **kwargs):
    raise Http404


def listing_close(request, **kwargs):
    raise Http404


def listing_refresh(request, **kwargs):
    raise Http404


def photo_add(request, **kwargs):
    raise Http404


def photo_remove(request, **kwargs):
    raise Http404


def verification_request(request, **kwargs):
    raise Http404


def report_list(request, **kwargs):
    raise Http404


def report_detail(request, **kwargs):
    raise Http404


def strike_list(request, **kwargs):
    raise Http404


def appeal(request, **kwargs):
    raise Http404
