package dev.encore.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A level at which discoveries are labelled (docs/rewards.md "Entity"); its id is the {@code entity_level} value. */
public enum EntityLevel {
  /** {@code artist_id} of a TRACK play. */
  ARTIST,
  /** {@code show_id} of an EPISODE play. */
  SHOW,
  /** {@code item_id} of a TRACK play. */
  TRACK,
  /** {@code album_id} of a TRACK play. */
  ALBUM;

  /** The id used in pipeline files and in the {@code entity_level} column: "artist", "show", "track", "album". */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The level with this id; ids are lower case, exactly as {@link #id()} writes them. */
  public static EntityLevel fromId(String id) {
    for (EntityLevel level : values()) {
      if (level.id().equals(id)) {
        return level;
      }
    }
    throw new IllegalArgumentException("Unknown entity level '" + id + "'; allowed: " + allowedIds() + ".");
  }

  /** The ids of every level, comma-separated, for messages. */
  public static String allowedIds() {
    return Arrays.stream(values()).map(EntityLevel::id).collect(Collectors.joining(", "));
  }
}
