/** XML-fetch bindings (spec §1.14–§1.15, §2.4). TODO(fetch helper): {bind, Section}, {fetch_reply, ID, XML}. */
export {};
