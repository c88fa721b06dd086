package dev.encore.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.encore.EncoreException;
import dev.encore.publish.PartitionLayout;
import dev.encore.store.StoreFiles;
import dev.encore.rewards.Finality;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The input calendar of an output root (docs/rewards.md): per arrival day, whether its input was complete —
 * present, sealed and read without a skipped file — as the first run that looked for it found it. An entry is
 * never changed once recorded, so a day that was not final never becomes final later; it survives log retention.
 *
 * @param entries arrival day → its entry, recorded by earlier runs or observed by this one
 * @param observed the days this run observed first (its entries are added when it publishes)
 */
public record InputCalendar(NavigableMap<LocalDate, Entry> entries, Set<LocalDate> observed) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One arrival day.
   *
   * @param complete present, sealed, every file read
   * @param why what was incomplete ("missing", "unsealed", "skipped file dt=.../part-1.avro"); null when complete
   * @param recordedBy the date of the run that recorded it
   */
  public record Entry(boolean complete, String why, LocalDate recordedBy) {}

  public InputCalendar {
    entries = Collections.unmodifiableNavigableMap(new TreeMap<>(entries));
    observed = Collections.unmodifiableSet(new TreeSet<>(observed));
  }

  /** {@code <output>/_encore/input_calendar.json}. */
  public static String file(PartitionLayout outputRoot) {
    return outputRoot.privatePath("input_calendar.json");
  }

  /** The calendar recorded under an output root; empty when none is. */
  public static InputCalendar read(PartitionLayout outputRoot) {
    String file = file(outputRoot);
    TreeMap<LocalDate, Entry> entries = new TreeMap<>();
    if (StoreFiles.exists(file)) {
      try {
        Map<?, ?> days = JSON.readValue(StoreFiles.read(file), Map.class);
        days.forEach((day, value) -> {
          Map<?, ?> e = (Map<?, ?>) value;
          entries.put(LocalDate.parse((String) day), new Entry(Boolean.TRUE.equals(e.get("complete")),
              (String) e.get("why"), LocalDate.parse((String) e.get("recorded_by"))));
        });
      } catch (IOException | RuntimeException e) {
        throw new EncoreException(EncoreException.OUTPUT, "Cannot read the input calendar " + file + ": " + e
            + ". Restore it from a backup; without it Encore cannot tell which published days were final.", e);
      }
    }
    return new InputCalendar(entries, Set.of());
  }

  /**
   * With what run {@code date} found: each arrival partition it reads or skips that no earlier run recorded. A
   * partition found is complete unless a file of it turns out corrupt ({@link #withSkippedFiles}). A one-pass
   * backfill passes its first date: an arrival day after it is recorded by that day's own date, as running nightly
   * date by date records it.
   */
  public InputCalendar observe(ArrivalPartitions.Found input, LocalDate date) {
    TreeMap<LocalDate, Entry> all = new TreeMap<>(entries);
    Set<LocalDate> now = new TreeSet<>(observed);
    for (InputPartition p : input.partitions()) {
      if (all.putIfAbsent(p.day(), new Entry(true, null, later(p.day(), date))) == null) {
        now.add(p.day());
      }
    }
    for (ArrivalPartitions.Skipped s : input.skipped()) {
      if (all.putIfAbsent(s.day(), new Entry(false, s.why(), later(s.day(), date))) == null) {
        now.add(s.day());
      }
    }
    return new InputCalendar(all, now);
  }

  private static LocalDate later(LocalDate a, LocalDate b) {
    return a.isAfter(b) ? a : b;
  }

  /** With the days this run observed first marked incomplete where it skipped a file: day → files. */
  public InputCalendar withSkippedFiles(Map<LocalDate, List<String>> files) {
    TreeMap<LocalDate, Entry> all = new TreeMap<>(entries);
    files.forEach((day, paths) -> {
      if (observed.contains(day)) {
        all.put(day, new Entry(false, "skipped file " + String.join(", ", paths), all.get(day).recordedBy()));
      }
    });
    return new InputCalendar(all, observed);
  }

  /** Entries whose state this run decides (and so may still learn are incomplete while reading), as epoch days. */
  public List<Long> observedEpochDays() {
    return observed.stream().map(LocalDate::toEpochDay).toList();
  }

  /** Whether arrival day {@code day} is recorded (or observed) complete; days without an entry are not. */
  public boolean complete(LocalDate day) {
    Entry e = entries.get(day);
    return e != null && e.complete();
  }

  /** The final days of run {@code date} under this calendar. */
  public Finality finality(LocalDate date, int lateness) {
    Collection<Long> complete = new ArrayList<>();
    entries.forEach((day, e) -> {
      if (e.complete() && !day.isAfter(date)) {
        complete.add(day.toEpochDay());
      }
    });
    return new Finality(date.toEpochDay(), lateness, complete);
  }

  /** The incomplete arrival days, with why: for the run metadata and the report. */
  public Map<String, String> incomplete() {
    Map<String, String> days = new LinkedHashMap<>();
    entries.forEach((day, e) -> {
      if (!e.complete()) {
        days.put(day.toString(), e.why());
      }
    });
    return days;
  }

  /** Records the calendar under {@code outputRoot} (atomically replaced). */
  public void write(PartitionLayout outputRoot) throws IOException {
    Map<String, Object> days = new LinkedHashMap<>();
    entries.forEach((day, e) -> {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("complete", e.complete());
      if (e.why() != null) {
        entry.put("why", e.why());
      }
      entry.put("recorded_by", e.recordedBy().toString());
      days.put(day.toString(), entry);
    });
    outputRoot.store().replaceAtomically(file(outputRoot), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(days));
  }
}
