"""What accounts tell the apps above the core, which the core may not import."""

from django.dispatch import Signal

# A consumer account was made for an address its sign-up link proved the person reads (argument: user).
# Sent inside the sign-up's transaction: a receiver that fails undoes the sign-up.
user_signed_up = Signal()
