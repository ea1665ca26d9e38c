"""The one way exceptions leave the Python package: every public function and method runs
inside :func:`boundary`, so that what a caller sees is always a :class:`crm.CrmError`.

Errors crm finds itself (in crm-core, in the native module or in the conversions of
``_convert``) already are ``CrmError`` subclasses naming the field and pass unchanged. What
is left are Python's own conversion errors on the way in — a call with a misspelt keyword
argument, an object of the wrong type, an integer too large for the native type, a string
with a lone surrogate that cannot become UTF-8 — which arrive as ``TypeError``,
``ValueError``, ``OverflowError``, ``UnicodeError``, ``AttributeError`` or ``LookupError``. They become
:class:`crm.InvalidArgumentError` (also a ``TypeError``) for calls that do not fit the
signature or pass the wrong type, naming the unknown argument and suggesting the close one,
and :class:`crm.InvalidInputError` (a ``ValueError``) for the others; the original
exception is kept as ``__cause__``.

``install`` wraps the public functions of the package's modules and the public methods of
their classes in place (once, at import), so no function can be forgotten; the hostile-value
tests walk the same list.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import re
import types
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar, cast

from .errors import CrmError, InvalidArgumentError, InvalidInputError

F = TypeVar("F", bound=Callable[..., Any])

_MISSING = re.compile(r"missing a required argument: '([^']+)'")
# Dunder methods callers reach with arguments (book(...), `id in book`).
_DUNDERS = ("__init__", "__contains__")


def _error(cls: type, field: Optional[str], message: str) -> CrmError:
    err = cast(CrmError, cls(message))
    err.field = field
    return err


def _argument_error(fn: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Optional[CrmError]:
    """The error for a call that does not fit ``fn``'s signature, or None when it fits."""
    try:
        sig = inspect.signature(fn)
    except ValueError:  # no signature (a builtin): nothing more to say
        return None
    name = getattr(fn, "__qualname__", "the function")
    params = sig.parameters
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        known = [p.name for p in params.values()
                 if p.name not in ("self", "cls") and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        for unknown in kwargs:
            if unknown in known:
                continue
            close = difflib.get_close_matches(unknown, known, n=1, cutoff=0.6)
            hint = f" (did you mean `{close[0]}`?)" if close else (
                f"; it takes {', '.join(f'`{k}`' for k in known)}" if known else "")
            return _error(InvalidArgumentError, unknown, f"unknown argument `{unknown}` to {name}(){hint}")
    try:
        sig.bind(*args, **kwargs)
    except TypeError as e:
        missing = _MISSING.search(str(e))
        return _error(InvalidArgumentError, missing.group(1) if missing else None, f"{name}(): {e}")
    return None


def _describe(e: BaseException) -> str:
    """The builtin error's message without the input text (which may be personal data)."""
    if isinstance(e, UnicodeError) and hasattr(e, "reason") and hasattr(e, "start"):
        return f"text that is not valid Unicode ({e.reason} at position {e.start})"
    return str(e)


def boundary(fn: F) -> F:
    """``fn`` with Python's conversion errors turned into :class:`crm.CrmError` subclasses."""
    if getattr(fn, "__crm_boundary__", False):
        return fn

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CrmError:
            raise
        except TypeError as e:
            raise (_argument_error(fn, args, kwargs)
                   or _error(InvalidArgumentError, None, f"invalid argument: {_describe(e)}")) from e
        except (ValueError, OverflowError, UnicodeError, AttributeError, LookupError) as e:
            raise _error(InvalidInputError, None, f"invalid input: {_describe(e)}") from e

    setattr(guarded, "__crm_boundary__", True)
    return cast(F, guarded)


def _members(module: types.ModuleType) -> Iterator[Tuple[Any, str, Any]]:
    """(owner, name, member) of every public function of ``module`` and every public method
    (plain, class, static) of the classes it defines."""
    for name, obj in list(vars(module).items()):
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield module, name, obj
        elif inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in list(vars(obj).items()):
                if attr.startswith("_") and attr not in _DUNDERS:
                    continue
                if isinstance(member, (classmethod, staticmethod)) or inspect.isfunction(member):
                    yield obj, attr, member


def install(*modules: types.ModuleType) -> List[str]:
    """Wraps every public function and method of ``modules`` in :func:`boundary`, in place;
    returns their qualified names."""
    done: List[str] = []
    for module in modules:
        for owner, name, member in _members(module):
            if isinstance(member, classmethod):
                setattr(owner, name, classmethod(boundary(member.__func__)))
            elif isinstance(member, staticmethod):
                setattr(owner, name, staticmethod(boundary(member.__func__)))
            else:
                setattr(owner, name, boundary(member))
            done.append(f"{module.__name__}.{getattr(member, '__qualname__', name)}")
    return done
