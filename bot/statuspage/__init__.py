"""The public status page: components from config, the issues responders publish to it,
and their published updates, as a page, Statuspage-shaped JSON and an Atom feed."""
