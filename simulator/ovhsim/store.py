"""Domain task store: task state, lazy progression and the task actions."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .account import Account
from .clock import SimClock, format_datetime
from .errors import bad_request, forbidden, object_not_found
from .scenario import ArgumentSpec, TaskSpec

RELAUNCHABLE_STATUSES = ("error", "problem")

# Action name -> (flag that must be true, statuses in which the action is allowed, past participle).
# NOTE: the real API documents neither these status requirements nor its refusal
# (403 Client::Forbidden here). The statuses follow the life cycle in OVHcloud's task guide.
ACTION_RULES = {
    "relaunch": ("canRelaunch", ("error", "problem"), "relaunched"),
    "accelerate": ("canAccelerate", ("todo",), "accelerated"),
    "cancel": ("canCancel", ("todo", "error", "problem"), "cancelled"),
}

# NOTE: arguments are rejected while the task is processed or finished (a guess).
ARGUMENT_LOCKED_STATUSES = ("doing", "done", "cancelled")

# Invented steps for nichandle.DomainTaskProgressBar, used when a task's scenario
# sets no progress_steps: (step, description).
PROGRESS_STEPS = (
    ("initialisation", "The operation is waiting to be processed"),
    ("registryRequest", "The request is being processed with the registry"),
    ("finalization", "The operation is finished"),
)


@dataclass
class Argument:
    spec: ArgumentSpec
    value: str | None

    def accepts_current_value(self, account: Account | None = None) -> bool:
        """Tell whether the simulated registry takes the current value on relaunch.

        ``account`` resolves the documents and contacts that the accept_document
        and accept_contact_fields rules look up. Without it, those rules fail.
        """
        if self.spec.accept_pattern is not None:
            if self.value is None or self.spec.accept_pattern.fullmatch(self.value) is None:
                return False
        if self.spec.accept_values is not None and self.value not in self.spec.accept_values:
            return False
        if self.spec.accept_document or self.spec.accept_contact_fields:
            return account is not None and account.argument_accepts(self.spec, self.value)
        return True

    def to_api(self) -> dict:
        spec = self.spec
        return {
            "key": spec.key,
            "description": spec.description,
            "type": spec.type,
            "value": self.value,
            "acceptedValues": _list_or_none(spec.accepted_values),
            "readOnly": spec.read_only,
            "minimumSize": spec.minimum_size,
            "maximumSize": spec.maximum_size,
            "fields": _list_or_none(spec.fields),
            "template": spec.template,
            "acceptedFormats": _list_or_none(spec.accepted_formats),
        }


@dataclass
class Task:
    spec: TaskSpec
    status: str
    comment: str | None
    todo_date: datetime
    last_update: datetime
    done_date: datetime | None
    can_accelerate: bool
    can_relaunch: bool
    can_cancel: bool
    hold: bool
    # Start of the current todo or doing phase on the simulated clock.
    phase_since: datetime
    arguments: dict[str, Argument] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: TaskSpec, now: datetime) -> "Task":
        return cls(
            spec=spec,
            status=spec.status,
            comment=spec.comment,
            todo_date=spec.todo_date,
            last_update=spec.last_update,
            done_date=spec.done_date,
            can_accelerate=spec.can_accelerate,
            can_relaunch=spec.can_relaunch,
            can_cancel=spec.can_cancel,
            hold=spec.hold,
            phase_since=now,
            arguments={arg.key: Argument(arg, arg.value) for arg in spec.arguments},
        )

    def flag(self, name: str) -> bool:
        return {"canAccelerate": self.can_accelerate, "canRelaunch": self.can_relaunch, "canCancel": self.can_cancel}[name]

    def doing_starts_at(self) -> datetime:
        return max(self.todo_date, self.phase_since + timedelta(seconds=self.spec.todo_seconds))

    def to_api(self) -> dict:
        return {
            "id": self.spec.id,
            "function": self.spec.function,
            "domain": self.spec.domain,
            "status": self.status,
            "comment": self.comment,
            "creationDate": format_datetime(self.spec.creation_date),
            "todoDate": format_datetime(self.todo_date),
            "lastUpdate": format_datetime(self.last_update),
            "doneDate": format_datetime(self.done_date),
            "canAccelerate": self.can_accelerate,
            "canRelaunch": self.can_relaunch,
            "canCancel": self.can_cancel,
            "type": self.spec.type,
        }


def _list_or_none(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)


def like_regex(pattern: str) -> re.Pattern:
    """Compile a "like" filter: ``%`` stands for any characters, the rest must be equal.

    NOTE: OVHcloud does not document its "like" syntax; the SQL-style ``%`` is a guess.
    """
    return re.compile(".*".join(re.escape(part) for part in pattern.split("%")), flags=re.DOTALL)


class TaskStore:
    """Tasks of one scenario run. Every public method is thread-safe.

    Tasks progress lazily: each read or write first moves the tasks it touches
    to the state they have at the simulated clock's current time.
    """

    def __init__(self, specs: tuple[TaskSpec, ...], clock: SimClock, account: Account | None = None):
        self._clock = clock
        self._account = account
        self._lock = threading.RLock()
        now = clock.now()
        # Kept in id order, so listings need no sort.
        self._tasks = {spec.id: Task.from_spec(spec, now) for spec in sorted(specs, key=lambda spec: spec.id)}

    def __len__(self) -> int:
        return len(self._tasks)

    def list_ids(self, domain: str | None = None, function: str | None = None, status: str | None = None,
                 task_type: str | None = None, service_name: str | None = None) -> list[int]:
        """Return the ids of the tasks matching every given filter, in ascending order."""
        with self._lock:
            tasks = self._matching(domain, function, status, task_type, service_name)
            return [task.spec.id for task in tasks]

    def list_page(self, offset: int, limit: int, domain: str | None = None, function: str | None = None,
                  status: str | None = None, task_type: str | None = None,
                  service_name: str | None = None) -> tuple[int, list[dict]]:
        """Return the number of tasks matching the filters and the full objects of ``limit`` of them from ``offset``, by id."""
        with self._lock:
            tasks = self._matching(domain, function, status, task_type, service_name)
            return len(tasks), [task.to_api() for task in tasks[offset:offset + limit]]

    def _matching(self, domain: str | None, function: str | None, status: str | None, task_type: str | None,
                  service_name: str | None) -> list[Task]:
        """Progress every task to now and return those matching every given filter, in id order.

        One pass over the tasks: each listing costs O(number of tasks), however
        many tasks are progressing.
        """
        now = self._clock.now()
        domain_regex = None if domain is None else like_regex(domain)
        function_regex = None if function is None else like_regex(function)
        found = []
        for task in self._tasks.values():
            self._progress(task, now)
            if service_name is not None and task.spec.domain != service_name:
                continue
            if domain_regex is not None and (task.spec.domain is None or domain_regex.fullmatch(task.spec.domain) is None):
                continue
            if function_regex is not None and function_regex.fullmatch(task.spec.function) is None:
                continue
            if status is not None and task.status != status:
                continue
            if task_type is not None and task.spec.type != task_type:
                continue
            found.append(task)
        return found

    def get(self, task_id: int, service_name: str | None = None) -> dict:
        with self._lock:
            return self._find(task_id, service_name).to_api()

    def perform(self, task_id: int, action: str, service_name: str | None = None) -> None:
        """Run ``relaunch``, ``accelerate`` or ``cancel`` on a task. Raises ApiError."""
        flag_name, statuses, participle = ACTION_RULES[action]
        with self._lock:
            task = self._find(task_id, service_name)
            if not task.flag(flag_name):
                raise forbidden(f"Task {task_id} cannot be {participle} because {flag_name} is false (status {task.status})")
            if task.status not in statuses:
                raise forbidden(f"Task {task_id} cannot be {participle} in status {task.status}")

            now = self._clock.now()
            if action == "relaunch":
                self._relaunch(task, now)
            elif action == "accelerate":
                task.todo_date = now
                task.last_update = now
                task.can_accelerate = False
                task.hold = False
            else:
                task.status = "cancelled"
                task.last_update = now
                # NOTE: whether the API sets doneDate on a cancelled task is not documented.
                task.done_date = now
                task.can_accelerate = task.can_relaunch = task.can_cancel = False

    def progressbar(self, task_id: int) -> dict:
        with self._lock:
            task = self._find(task_id)
            return self._progressbar(task)

    def argument_keys(self, task_id: int) -> list[str]:
        with self._lock:
            return list(self._find(task_id).arguments)

    def argument(self, task_id: int, key: str) -> dict:
        with self._lock:
            return self._find_argument(self._find(task_id), key).to_api()

    def set_argument(self, task_id: int, key: str, value: str | None) -> None:
        """Store an argument value after checking status, readOnly, acceptedValues and sizes. Raises ApiError."""
        with self._lock:
            task = self._find(task_id)
            argument = self._find_argument(task, key)
            spec = argument.spec
            if task.status in ARGUMENT_LOCKED_STATUSES:
                raise forbidden(f"The arguments of task {task_id} cannot be changed while its status is {task.status}")
            if spec.read_only:
                raise bad_request(f"[value] Argument {key} of task {task_id} is read-only")

            if value is not None:
                _check_argument_value(spec, value)
            argument.value = value

    def snapshot(self) -> list[dict]:
        """Return every task with its arguments, as the control API shows them."""
        with self._lock:
            now = self._clock.now()
            tasks = []
            for task_id in sorted(self._tasks):
                task = self._tasks[task_id]
                self._progress(task, now)
                item = task.to_api()
                item["arguments"] = [argument.to_api() for argument in task.arguments.values()]
                tasks.append(item)
            return tasks

    def _find(self, task_id: int, service_name: str | None = None) -> Task:
        task = self._tasks.get(task_id)
        # A task of another domain is as unknown as a missing one on /domain/{serviceName}/task.
        if task is None or (service_name is not None and task.spec.domain != service_name):
            raise object_not_found("id", task_id)
        self._progress(task, self._clock.now())
        return task

    @staticmethod
    def _find_argument(task: Task, key: str) -> Argument:
        argument = task.arguments.get(key)
        if argument is None:
            raise object_not_found("key", key)
        return argument

    @staticmethod
    def _relaunch(task: Task, now: datetime) -> None:
        task.status = "todo"
        task.todo_date = now
        task.last_update = now
        task.done_date = None
        task.can_relaunch = False
        # todoDate is already now, so accelerating would change nothing.
        task.can_accelerate = False
        task.hold = False
        task.phase_since = now

    def _progress(self, task: Task, now: datetime) -> None:
        """Apply the todo -> doing -> done/error transitions due by ``now``."""
        if task.hold:
            return

        if task.status == "todo":
            start = task.doing_starts_at()
            if now < start:
                return
            task.status = "doing"
            task.phase_since = start
            task.last_update = start
            task.can_accelerate = task.can_relaunch = task.can_cancel = False

        if task.status == "doing":
            finish = task.phase_since + timedelta(seconds=task.spec.doing_seconds)
            if now < finish:
                return
            task.last_update = finish
            if all(argument.accepts_current_value(self._account) for argument in task.arguments.values()):
                task.status = "done"
                task.done_date = finish
                task.comment = None
                task.can_accelerate = task.can_relaunch = task.can_cancel = False
            else:
                task.status = "error"
                task.comment = task.spec.error_comment or task.spec.comment
                task.can_relaunch = True
                task.can_accelerate = False
                task.can_cancel = task.spec.can_cancel

    def _progressbar(self, task: Task) -> dict:
        steps, current, progress = _progress_position(task)

        expected_done = None
        if task.status == "done":
            expected_done = task.done_date
        elif task.status == "todo" and not task.hold:
            expected_done = task.doing_starts_at() + timedelta(seconds=task.spec.doing_seconds)
        elif task.status == "doing" and not task.hold:
            expected_done = task.phase_since + timedelta(seconds=task.spec.doing_seconds)

        actions = []
        if task.can_cancel:
            actions.append("canCancel")
        writable = any(not argument.spec.read_only for argument in task.arguments.values())
        if task.status in RELAUNCHABLE_STATUSES and writable:
            actions.append("canCorrect")
        if task.can_relaunch:
            actions.append("canRelaunch")

        return {
            "currentStep": steps[current],
            "expectedDoneDate": format_datetime(expected_done),
            "followUpSteps": steps,
            "lastUpdateDate": format_datetime(task.last_update),
            "progress": progress,
            "taskActions": actions,
            "taskStatus": task.status,
        }


def _progress_position(task: Task) -> tuple[list[dict], int, int]:
    """Return the progress bar's steps, the index of the current step and the percentage.

    A task in todo or cancelled is on the first step and one in done on the
    last. In doing, error or problem it is on the task's progress_error_step
    (the middle step by default), and the percentage is that step's position.
    """
    spec = task.spec
    if spec.progress_steps is None:
        durations = (int(spec.todo_seconds), int(spec.doing_seconds), 0)
        steps = [
            {"step": step, "description": description, "executionDuration": duration}
            for (step, description), duration in zip(PROGRESS_STEPS, durations)
        ]
        middle = len(steps) // 2
    else:
        steps = [
            {"step": step.step, "description": step.description, "executionDuration": step.execution_duration}
            for step in spec.progress_steps
        ]
        middle = spec.progress_error_step

    last = len(steps) - 1
    current = {"todo": 0, "cancelled": 0, "done": last}.get(task.status, middle)
    return steps, current, round(100 * current / last)


def _check_argument_value(spec: ArgumentSpec, value: str) -> None:
    if spec.accepted_values is not None and value not in spec.accepted_values:
        accepted = ", ".join(spec.accepted_values)
        raise bad_request(f"[value] Given data ({value}) is not an accepted value for argument {spec.key} (accepted values: {accepted})")

    # For /me/document arguments the sizes bound the uploaded file, not the document id in value.
    if spec.type != "string":
        return
    if spec.minimum_size is not None and len(value) < spec.minimum_size:
        raise bad_request(
            f"[value] Argument {spec.key} needs at least {spec.minimum_size} characters, got {len(value)}")
    if spec.maximum_size is not None and len(value) > spec.maximum_size:
        raise bad_request(
            f"[value] Argument {spec.key} accepts at most {spec.maximum_size} characters, got {len(value)}")
