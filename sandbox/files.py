"""File uploads (the v2 flow), files.list and files.info, and the private download URLs,
answering as Slack does.

A file is visible to the app when the bot uploaded it, when it is shared where the bot
can see, or when a person uploaded it through a file input in one of the app's modals
(Slack hands such files to the app that opened the modal, shared nowhere)."""

from __future__ import annotations

import math
import mimetypes
import time
from typing import Any
from urllib.parse import quote

from sandbox.api_base import FILE_TYPES, ApiBase, SlackError, _require, _ts
from sandbox.workspace import Message


class FileMethods(ApiBase):
    def files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "filename", "length")
        file_id = self.ws.new_id("F")
        self.ws.files[file_id] = {
            "name": args["filename"],
            "length": int(args["length"]),
            "content": None,
            "title": args["filename"],
            "user": self.ws.bot.id,
            "created": int(time.time()),
            "completed": False,
            "channels": [],
        }
        return {"upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "files")
        listed = args["files"]
        if not isinstance(listed, list) or not listed:
            raise SlackError("invalid_arguments", "files must be a non-empty JSON array")
        for item in listed:
            stored = self.ws.files.get(item.get("id", ""))
            if stored is None or stored["content"] is None:
                raise SlackError("file_not_found")
        targets = [args["channel_id"]] if args.get("channel_id") else []
        targets += [c.strip() for c in str(args.get("channels") or "").split(",") if c.strip()]
        channels = [self._channel(channel_id) for channel_id in targets]
        for item in listed:
            stored = self.ws.files[item["id"]]
            stored["title"] = item.get("title") or stored["name"]
            stored["completed"] = True
        for channel in channels:
            self.ws.post(
                channel,
                self.ws.bot,
                args.get("initial_comment") or "",
                files=[item["id"] for item in listed],
                thread_ts=args.get("thread_ts") or None,
            )
            for item in listed:
                shared = self.ws.files[item["id"]]["channels"]
                if channel.id not in shared:
                    shared.append(channel.id)
        return {
            "files": [{"id": i["id"], "title": self.ws.files[i["id"]]["title"]} for i in listed]
        }

    def _file_visible(self, stored: dict[str, Any]) -> bool:
        """Completed, not deleted, and the bot's own, handed to the app through one of its
        modals, or shared where the bot can see it."""
        if not stored.get("completed") or stored.get("deleted"):
            return False
        if stored.get("user") == self.ws.bot.id or stored.get("app_visible"):
            return True
        return any(self._can_see(channel_id) for channel_id in stored.get("channels", []))

    def _can_see(self, channel_id: str) -> bool:
        channel = self.ws.channels.get(channel_id)
        if channel is None:
            return False
        return not (channel.is_private or channel.is_im) or self.ws.bot.id in channel.members

    def file_json(self, file_id: str) -> dict[str, Any]:
        stored = self.ws.files[file_id]
        name = stored["name"]
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
        shared = [c for c in stored.get("channels", []) if self._can_see(c)]
        kinds = {c: self.ws.channels[c] for c in shared}
        private = f"{self.base_url}files-pri/{self.ws.team_id}-{file_id}"
        return {
            "id": file_id,
            "created": stored.get("created", 0),
            "timestamp": stored.get("created", 0),
            "name": name,
            "title": stored["title"],
            "mimetype": stored.get("mimetype") or mimetypes.guess_type(name)[0] or "text/plain",
            "filetype": extension,
            "user": stored.get("user", self.ws.bot.id),
            "size": len(stored["content"] or b""),
            "mode": "hosted",
            "is_external": False,
            "is_public": any(not c.is_private and not c.is_im for c in kinds.values()),
            "url_private": f"{private}/{quote(name)}",
            "url_private_download": f"{private}/download/{quote(name)}",
            "permalink": f"https://{self.ws.domain}.slack.com/files/{file_id}",
            "channels": [c for c, ch in kinds.items() if not ch.is_private and not ch.is_im],
            "groups": [c for c, ch in kinds.items() if ch.is_private],
            "ims": [c for c, ch in kinds.items() if ch.is_im],
        }

    def files_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Files newest first, filtered by `channel`, `user`, `ts_from`/`ts_to` (inclusive)
        and `types`; paged the classic way (`count` default 100, `page` from 1)."""
        types = {t.strip() for t in str(args.get("types") or "all").split(",") if t.strip()}
        if types - FILE_TYPES:
            raise SlackError("unknown_type")
        user = args.get("user") or None
        if user is not None and user not in self.ws.users:
            raise SlackError("user_not_found")
        ts_from = _ts(args.get("ts_from"), "invalid_arguments")
        ts_to = _ts(args.get("ts_to"), "invalid_arguments")
        channel = args.get("channel") or None
        found = []
        for file_id, stored in self.ws.files.items():
            if not self._file_visible(stored):
                continue
            if channel is not None and (
                channel not in stored.get("channels", []) or not self._can_see(channel)
            ):
                continue
            if user is not None and stored.get("user") != user:
                continue
            created = stored.get("created", 0)
            if (ts_from is not None and created < ts_from) or (
                ts_to is not None and created > ts_to
            ):
                continue
            data = self.file_json(file_id)
            if "all" not in types and not self._file_of_types(data, types):
                continue
            found.append(data)
        found.sort(key=lambda f: (f["created"], f["id"]), reverse=True)
        try:
            count = max(int(args.get("count") or 100), 1)
            page = max(int(args.get("page") or 1), 1)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None
        return {
            "files": found[(page - 1) * count : page * count],
            "paging": {
                "count": count,
                "total": len(found),
                "page": page,
                "pages": math.ceil(len(found) / count),
            },
        }

    @staticmethod
    def _file_of_types(data: dict[str, Any], types: set[str]) -> bool:
        return (
            ("images" in types and str(data["mimetype"]).startswith("image/"))
            or ("pdfs" in types and data["filetype"] == "pdf")
            or ("zips" in types and data["filetype"] == "zip")
        )

    def files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "file")
        stored = self.ws.files.get(args["file"])
        if stored is not None and stored.get("deleted"):
            raise SlackError("file_deleted")
        if stored is None or not self._file_visible(stored):
            raise SlackError("file_not_found")
        return {
            "file": self.file_json(args["file"]),
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }

    def download(self, key: str, token: str) -> tuple[int, bytes]:
        """GET of a url_private(_download): the bytes for the bot's token when the app may
        see the file; 401 without a valid token, 403 when hidden from it, 404 when gone."""
        if token != self.ws.bot_token:
            return 401, b"not_authed"
        team, _, file_id = key.partition("-")
        stored = self.ws.files.get(file_id) if team == self.ws.team_id else None
        if stored is None or stored.get("deleted") or stored.get("content") is None:
            return 404, b"file_not_found"
        if not self._file_visible(stored):
            return 403, b"access_denied"
        return 200, bytes(stored["content"])

    def message_json(self, message: Message) -> dict[str, Any]:
        """A message as Slack puts it in a payload: with its files, as the app sees them."""
        data = message.to_api()
        shown = [f for f in message.files if f in self.ws.files]
        if shown:
            data["files"] = [
                self.file_json(f)
                if not self.ws.files[f].get("deleted")
                else {"id": f, "mode": "tombstone"}
                for f in shown
            ]
            data["upload"] = False
        return data
