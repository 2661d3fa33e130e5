"""One chat-completions call through the `openai` client, answered as JSON of a given
shape (a review, a catch-up); every failure says why."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TypeVar, cast

from pydantic import BaseModel, ValidationError

from bot.core.ai.prompt import Prompt

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

Answer = TypeVar("Answer", bound=BaseModel)


class ModelFailure(Exception):
    """The model could not give a usable answer; the message says why, for people."""


async def ask_model(
    prompt: Prompt,
    *,
    api_key: str,
    base_url: str | None,
    model: str,
    timeout: float,
    max_retries: int,
    answer: type[Answer],
    what: str,
) -> Answer:
    # Imported on first use: the client's types are a third of Firebell's start-up
    # (~0.4 s), and a team without a model never needs them.
    import openai

    client = openai.AsyncOpenAI(
        api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
    )
    try:
        response = await client.chat.completions.create(
            model=model,
            messages=cast("list[ChatCompletionMessageParam]", prompt.messages),
            response_format={"type": "json_object"},
            temperature=0.2,
        )
    except openai.APITimeoutError:
        raise ModelFailure(f"the model did not answer within {timeout:g} s") from None
    except openai.APIStatusError as exc:
        raise ModelFailure(f"the model service answered HTTP {exc.status_code}") from None
    except openai.APIConnectionError:
        raise ModelFailure("the model service could not be reached") from None
    finally:
        await client.close()
    if not response.choices or not response.choices[0].message.content:
        raise ModelFailure("the model's answer was empty")
    try:
        data = json.loads(response.choices[0].message.content)
    except ValueError:
        raise ModelFailure("the model's answer was not valid JSON") from None
    try:
        return answer.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(map(str, e["loc"])) for e in exc.errors()})
        raise ModelFailure(
            f"the model's answer did not fit the {what} ({', '.join(fields[:5])})"
        ) from None
