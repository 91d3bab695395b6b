"""Report parameters: ``params/<locality>.yaml``, validated (pydantic) before any kernel starts.

Only plain JSON types reach a notebook: papermill escapes values but not names, and injects numpy scalars,
paths and dates unsafely (see ECOSYSTEM notes), so every name is fixed by this model and every value is checked.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chitieu.config import locality_id_problem, params_dir
from chitieu.io.data import load_localities
from chitieu.io.safe import LIMITS, FileRefused, fmt_int, read_limited

__all__ = ["ScenarioParam", "ReportParams", "load_params", "ParamsError", "params_dir"]


class ParamsError(ValueError):
    """Invalid parameters; the message names the file and the field."""


class ScenarioParam(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80, description="nhãn kịch bản")
    pace_pct: float | None = Field(None, ge=-100, le=1000, description="tăng x%/năm")
    pace_units: float | None = Field(None, description="tăng y đơn vị/năm")
    historical_delta_pct: float | None = Field(None, ge=-100, le=100, description="nhịp lịch sử ± z điểm %")

    @field_validator("pace_units")
    @classmethod
    def _finite(cls, v):
        if v is not None and (v != v or v in (float("inf"), float("-inf"))):
            raise ValueError("phải là số hữu hạn")
        return v


class ReportParams(BaseModel):
    """The parameters of ``notebooks/locality_report.ipynb``."""

    model_config = ConfigDict(extra="forbid")
    locality: str = Field(max_length=60)
    year: int | None = Field(None, ge=2000, le=2100,
                             description="năm của chỉ tiêu (trống: cuối nhiệm kỳ, hoặc năm của biểu đã nhập)")
    horizon: int = Field(2030, ge=2000, le=2100, description="năm mục tiêu dự báo")
    language: Literal["vi"] = "vi"  # labels are Vietnamese; no English report exists yet, so "en" is refused
    scenarios: list[ScenarioParam] = Field(default_factory=list, max_length=10)

    @field_validator("locality")
    @classmethod
    def _locality_id(cls, v: str) -> str:
        problem = locality_id_problem(v)  # the one check of every id (chitieu.config)
        if problem:
            raise ValueError(problem)
        return v

    def notebook_parameters(self) -> dict:
        """Plain JSON values, keyed by the names of the notebook's parameters cell."""
        return {"locality": self.locality, "year": None if self.year is None else int(self.year), "horizon": int(self.horizon),
                "language": self.language,
                "scenarios": [s.model_dump(exclude_none=True) for s in self.scenarios]}


def load_params(locality: str, folder: Path | None = None, *, known: set[str] | None = None) -> ReportParams:
    """Read and validate ``params/<locality>.yaml``; a locality without a file gets the defaults.

    Whatever the file is, the answer is a :class:`ParamsError` naming it, never a traceback or a hang: a FIFO, a
    device or a link to ``/dev/zero`` is refused without being opened for reading, a file over
    :attr:`~chitieu.io.safe.Limits.params_bytes` is refused unread, and what YAML cannot build (a number of
    thousands of digits, nesting too deep) is said in words.
    """
    problem = locality_id_problem(locality)
    if problem:
        raise ParamsError(problem)
    known = known if known is not None else set(load_localities()["id"])
    if locality not in known:
        raise ParamsError(f"không có địa phương '{locality}' trong data/localities.csv; có: {', '.join(sorted(known))}")
    path = (folder or params_dir()) / f"{locality}.yaml"
    raw: dict = {"locality": locality}
    if os.path.lexists(path):  # a dangling link too: said, not taken for "no file"
        try:
            text = read_limited(path, LIMITS.params_bytes, label=str(path)).decode("utf-8")
            loaded = yaml.safe_load(text)
        except FileRefused as exc:
            raise ParamsError(str(exc)) from None
        except UnicodeDecodeError:
            raise ParamsError(f"{path}: tệp không phải UTF-8 (save it as UTF-8 text)") from None
        except OSError as exc:
            raise ParamsError(f"{path}: không đọc được tệp: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            raise ParamsError(f"{path}: không đọc được YAML: {exc}") from None
        except ValueError as exc:  # e.g. an integer of more than 4.300 digits (Python's int limit)
            digits = "Exceeds the limit" in str(exc)
            raise ParamsError(f"{path}: không đọc được YAML: "
                              + (f"có một số dài hơn {fmt_int(4300)} chữ số (a number far too long)" if digits
                                 else str(exc))) from None
        except RecursionError:
            raise ParamsError(f"{path}: không đọc được YAML: lồng nhau quá sâu (nested too deeply)") from None
        if not isinstance(loaded, dict):
            raise ParamsError(f"{path}: cần một bảng khóa: giá trị (a mapping)")
        raw.update(loaded)
    try:
        params = ReportParams.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}, trường '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in exc.errors()]
        raise ParamsError("\n".join(lines)) from None
    if params.locality != locality:
        raise ParamsError(f"{path}, trường 'locality': '{params.locality}' khác tên tệp '{locality}'")
    return params
