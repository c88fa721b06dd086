package dev.encore.sessions;

import dev.encore.avro.Session;
import java.util.Comparator;

/** The key order of the sessions dataset: user_id, session_start, session_id. */
public final class SessionOrder {
  /** Rows are sorted by this within every file. */
  public static final Comparator<Session> KEY =
      Comparator.comparing(Session::getUserId)
          .thenComparing(Session::getSessionStart)
          .thenComparing(Session::getSessionId);

  private SessionOrder() {}

  /** {@link #KEY} as a function Beam can ship to workers. */
  public static int compare(Session a, Session b) {
    return KEY.compare(a, b);
  }
}
