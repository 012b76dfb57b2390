"""Write the sample files of samples/ (the README's examples run on them). Stdlib only.

    python samples/make_samples.py        # rewrites the files next to this script

Everything is invented (ids, names, texts, links): a day of posts about a city election with
an organic hashtag, #RiverCityVotes, and one pushed by a planted retweet ring, #HarborFirst.
The ring (8 accounts, ring01..ring08) retweets the same 6 campaign tweets within 1-9 seconds
of each other and posts copy-pasted texts; about 60 ordinary accounts post and retweet at
their own pace. The files keep the platforms' real shapes:

- ``twarc2/rivercity_pages.jsonl``: Twitter API v2 search pages as ``twarc2 search`` writes
  them, one page per line (``data``, ``includes.users``/``includes.tweets``, ``meta``,
  ``__twarc``), 50 tweets a page;
- ``academictwitter/``: the next day from academictwitteR's ``get_all_tweets(data_path=...)``:
  ``data_<last id>.json`` (tweets array), ``users_<last id>.json`` (the includes object) and
  its ``query`` file (query, start, end: one a line);
- ``link_shares.csv``: links posted on another platform (post_id, author, posted_at ISO 8601,
  link, text), read with ``--map``;
- ``accounts.csv``: account_id, created_at (ISO 8601), followers_count, for ``trends --accounts``.
"""
from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DAY1 = datetime(2023, 9, 14, 6, 0, tzinfo=timezone.utc)
DAY2 = DAY1 + timedelta(days=1)
ORGANIC_TAG, CAMPAIGN_TAG = "RiverCityVotes", "HarborFirst"
WORDS = ("bridge tram budget school park council river housing vote debate candidate jobs rent "
         "library harbor traffic bike lane taxes water mayor district market youth ferry").split()


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class World:
    """Accounts and a tweet id counter shared by the Twitter samples."""

    def __init__(self, seed: int = 2023) -> None:
        self.rng = random.Random(seed)
        self.next_id = 1702500000000000000
        self.users: dict[str, dict] = {}
        self.ring = [self.user(f"ring{i:02d}", created=DAY1 - timedelta(days=self.rng.randint(3, 20)),
                               followers=self.rng.randint(2, 40)) for i in range(1, 9)]
        self.people = [self.user(f"{name}{i}", created=DAY1 - timedelta(days=self.rng.randint(200, 4000)),
                                 followers=self.rng.randint(30, 5000))
                       for i, name in enumerate(["ana", "ben", "chloe", "dev", "eli", "fay"] * 10)]
        self.sources = [self.user(name, created=DAY1 - timedelta(days=3000), followers=followers)
                        for name, followers in (("rivercitynews", 48_000), ("harborcampaign", 900))]

    def user(self, username: str, created: datetime, followers: int) -> dict:
        uid = str(3_000_000 + len(self.users) + 1)
        u = {"id": uid, "username": username, "name": username.capitalize(), "created_at": iso(created),
             "verified": False, "description": "",
             "public_metrics": {"followers_count": followers, "following_count": self.rng.randint(10, 900),
                                "tweet_count": self.rng.randint(50, 20_000), "listed_count": 0}}
        self.users[uid] = u
        return u

    def tweet(self, author: dict, when: datetime, text: str, tags: list[str], ref: dict | None = None,
              kind: str | None = None, link: str | None = None) -> dict:
        self.next_id += self.rng.randint(1_000, 90_000)
        t = {"id": str(self.next_id), "author_id": author["id"], "created_at": iso(when), "lang": "en",
             "conversation_id": str(self.next_id), "source": "Twitter for Android",
             "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": self.rng.randint(0, 30),
                                "quote_count": 0}}
        entities: dict = {}
        body = text
        if kind == "retweeted":
            origin = self.users[ref["author_id"]]["username"]
            body = f"RT @{origin}: {ref['text']}"[:140]
            entities["mentions"] = [{"start": 3, "end": 4 + len(origin), "username": origin, "id": ref["author_id"]}]
            t["public_metrics"] = dict(ref["public_metrics"], like_count=0)
            t["referenced_tweets"] = [{"type": "retweeted", "id": ref["id"]}]
            tags = [h["tag"] for h in ref.get("entities", {}).get("hashtags", [])]
            link = None
        elif kind in ("quoted", "replied_to"):
            t["referenced_tweets"] = [{"type": kind, "id": ref["id"]}]
            if kind == "replied_to":
                t["conversation_id"] = ref["conversation_id"]
                t["in_reply_to_user_id"] = ref["author_id"]
        if tags and kind != "retweeted":
            body += " " + " ".join(f"#{h}" for h in tags)
        hashtags = []
        for h in tags:
            at = body.find(f"#{h}")
            if at >= 0:
                hashtags.append({"start": at, "end": at + len(h) + 1, "tag": h})
        if hashtags:
            entities["hashtags"] = hashtags
        if link:
            short = f"https://t.co/{self.rng.getrandbits(40):010x}"
            body += " " + short
            at = body.find(short)
            entities["urls"] = [{"start": at, "end": at + len(short), "url": short, "expanded_url": link,
                                 "display_url": link.split("//", 1)[1][:30]}]
        t["text"] = body
        if entities:
            t["entities"] = entities
        return t

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize()


def simulate_day(world: World, start: datetime, n_campaign: int = 6) -> tuple[list[dict], list[dict]]:
    """(tweets in time order, originals they reference): one day of the story."""
    rng = world.rng
    tweets: list[dict] = []
    news, campaign = world.sources
    # organic originals and their retweets, spread over the day
    for _ in range(70):
        who = rng.choice(world.people + [news])
        when = start + timedelta(seconds=rng.randint(0, 14 * 3600))
        link = f"https://www.rivercity-news.example/2023/09/{rng.choice(WORDS)}-{rng.randint(1, 99)}" \
            if who is news or rng.random() < 0.2 else None
        tweets.append(world.tweet(who, when, world.words(rng.randint(6, 12)), [ORGANIC_TAG], link=link))
    originals = list(tweets)
    for _ in range(90):
        origin = rng.choice(originals)
        who = rng.choice(world.people)
        when = datetime.fromisoformat(origin["created_at"].replace("Z", "+00:00")) + \
            timedelta(seconds=rng.randint(60, 6 * 3600))
        kind = rng.choice(["retweeted", "retweeted", "retweeted", "quoted", "replied_to"])
        tweets.append(world.tweet(who, when, world.words(5), [ORGANIC_TAG] if kind != "retweeted" else [],
                                  ref=origin, kind=kind))
    # the campaign: harborcampaign tweets; the ring retweets each within seconds, in bursts
    slogans = ["The harbor plan brings jobs now", "Only the harbor plan fixes rents",
               "Harbor first, city first", "Say yes to the harbor plan today",
               "The harbor plan is the future of River City", "Vote for the harbor plan"]
    for i in range(n_campaign):
        when = start + timedelta(seconds=3600 + i * 5400 + rng.randint(0, 600))
        src = world.tweet(campaign, when, slogans[i % len(slogans)], [CAMPAIGN_TAG, ORGANIC_TAG],
                          link="https://harbor-first.example/plan")
        tweets.append(src)
        originals.append(src)
        burst = when + timedelta(seconds=rng.randint(20, 200))
        for member in world.ring:
            if rng.random() > 0.8:  # a member misses a burst now and then
                continue
            tweets.append(world.tweet(member, burst + timedelta(seconds=rng.randint(0, 8)), "", [],
                                      ref=src, kind="retweeted"))
        for member in rng.sample(world.ring, 5):  # copy-paste, not retweets
            tweets.append(world.tweet(member, burst + timedelta(seconds=rng.randint(10, 40)),
                                      slogans[i % len(slogans)] + "!", [CAMPAIGN_TAG]))
        for member in rng.sample(world.people, 2):  # a few real people retweet it later
            tweets.append(world.tweet(member, when + timedelta(seconds=rng.randint(900, 9000)), "", [],
                                      ref=src, kind="retweeted"))
    tweets.sort(key=lambda t: (t["created_at"], t["id"]))
    return tweets, originals


def write_twarc2(world: World, tweets: list[dict], path: Path, per_page: int = 50) -> None:
    """twarc2 search output: newest first, one API response a line."""
    lines = []
    newest_first = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
    for p in range(0, len(newest_first), per_page):
        page = newest_first[p:p + per_page]
        lines.append(json.dumps(page_doc(world, page, tweets, p // per_page), separators=(",", ":")))
    path.write_text("\n".join(lines) + "\n")


def includes(world: World, page: list[dict], all_tweets: list[dict]) -> dict:
    by_id = {t["id"]: t for t in all_tweets}
    refs = [by_id[r["id"]] for t in page for r in t.get("referenced_tweets", []) if r["id"] in by_id]
    ids = {t["author_id"] for t in page + refs}
    return {"users": [world.users[i] for i in sorted(ids)],
            "tweets": list({r["id"]: r for r in refs}.values())}


def page_doc(world: World, page: list[dict], all_tweets: list[dict], number: int) -> dict:
    return {"data": page, "includes": includes(world, page, all_tweets),
            "meta": {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page),
                     **({"next_token": f"b26v89c19zqg8o3f{number + 1:04d}"} if len(page) == 50 else {})},
            "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent?query=%23RiverCityVotes"
                               "%20OR%20%23HarborFirst&max_results=50",
                        "version": "2.14.0", "retrieved_at": "2023-09-15T06:00:12+00:00"}}


def write_academic(world: World, tweets: list[dict], folder: Path) -> None:
    """academictwitteR's data_path: one data_/users_ pair per page of 100, plus ``query``."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    newest_first = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
    for p in range(0, len(newest_first), 100):
        page = newest_first[p:p + 100]
        last = page[-1]["id"]
        (folder / f"data_{last}.json").write_text(json.dumps(page, indent=1))
        (folder / f"users_{last}.json").write_text(json.dumps(includes(world, page, tweets), indent=1))
    (folder / "query").write_text(f"(#{ORGANIC_TAG} OR #{CAMPAIGN_TAG})\n{iso(DAY2)}\n"
                                  f"{iso(DAY2 + timedelta(days=1))}\n")


def write_link_shares(path: Path, seed: int = 7) -> None:
    """Links posted on a forum-like platform: a ring of 6 accounts posts the same links within
    seconds; 40 others post links from a pool at their own pace."""
    rng = random.Random(seed)
    start = DAY1.replace(hour=8)
    rows = []
    links = [f"https://www.rivercity-news.example/2023/09/story-{i}" for i in range(1, 40)]
    pushed = [f"https://harbor-first.example/facts/{i}" for i in range(1, 9)]
    n = 0
    for i, link in enumerate(pushed):
        t0 = start + timedelta(minutes=45 * i + rng.randint(0, 20))
        for member in range(1, 7):
            if rng.random() > 0.85:  # not every member posts every link
                continue
            n += 1
            rows.append((f"p{n:05d}", f"promo{member}", t0 + timedelta(seconds=rng.randint(0, 9)), link,
                         "Read this before you vote"))
    for _ in range(260):
        n += 1
        rows.append((f"p{n:05d}", f"member{rng.randint(1, 40)}", start + timedelta(seconds=rng.randint(0, 12 * 3600)),
                     rng.choice(links + pushed[:2]), rng.choice(["Interesting", "What do you think?", "Worth a read", ""])))
    rows.sort(key=lambda r: r[2])
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["post_id", "author", "posted_at", "link", "text"])
        for pid, author, when, link, text in rows:
            w.writerow([pid, author, when.strftime("%Y-%m-%dT%H:%M:%SZ"), link, text])


def write_accounts(world: World, path: Path) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["account_id", "created_at", "followers_count"])
        for u in world.users.values():
            w.writerow([u["id"], u["created_at"].replace(".000Z", "Z"), u["public_metrics"]["followers_count"]])


def main() -> None:
    world = World()
    day1, _ = simulate_day(world, DAY1)
    day2, _ = simulate_day(world, DAY2)
    (HERE / "twarc2").mkdir(exist_ok=True)
    write_twarc2(world, day1, HERE / "twarc2" / "rivercity_pages.jsonl")
    write_academic(world, day2, HERE / "academictwitter")
    write_link_shares(HERE / "link_shares.csv")
    write_accounts(world, HERE / "accounts.csv")


if __name__ == "__main__":
    main()
