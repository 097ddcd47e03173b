/**
 * Which of a request's events share a row. Events of one request already share subject,
 * receipt time and country; those that also share category, name and the UTC hour they
 * occurred in differ only in what is sealed, so they are stored as one row: one sealed
 * value and one entry in each index instead of one per event. That is what makes a
 * batch of 20 page views cost little more than one.
 *
 * The hour keeps every clear dimension exact for statistics (day, week and month cells
 * hold whole rows), and bounds how far a row's events lie apart: the row carries its
 * earliest time, so retention deletes it when its earliest event is due, at most an hour
 * before the others would be, never after.
 */
import type { EventInput } from './event.js';

export interface EventGroup {
  category: string;
  name: string;
  /** The earliest `at` of the group (ISO 8601, UTC). */
  occurredAt: string;
  events: { event: EventInput; at: string }[];
}

/**
 * `at(event)` is the event's time as stored: an ISO 8601 UTC string (`toISOString()`);
 * `nameOf(event)` the name its row shows in the clear (`custom` for a name outside the vocabulary).
 */
export function groupEvents(events: readonly EventInput[], at: (event: EventInput) => string, nameOf: (event: EventInput) => string = (event) => event.name): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const event of events) {
    const time = at(event);
    // `YYYY-MM-DDTHH`: the hour, in the UTC form toISOString() always writes.
    const name = nameOf(event);
    const key = `${event.category}\n${name}\n${time.slice(0, 13)}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { category: event.category, name, occurredAt: time, events: [{ event, at: time }] });
    else {
      group.events.push({ event, at: time });
      if (time < group.occurredAt) group.occurredAt = time;
    }
  }
  return [...groups.values()];
}
