package dev.encore.generate;

/** The categorical values the generator writes (SPEC.md vocabularies), with plausible shares. */
final class Vocabulary {
  private Vocabulary() {}

  /** ISO 3166-1 alpha-2 codes, rough share of listeners, and a UTC offset in minutes (daylight saving ignored). */
  static final String[] COUNTRIES = {
    "US", "US", "US", "BR", "GB", "DE", "MX", "IN", "FR", "ES", "SE", "IT", "NL", "PL", "CA", "AU", "JP",
    "ID", "PH", "AR", "TR", "ZA", "NG"
  };
  static final double[] COUNTRY_SHARE = {
    0.11, 0.06, 0.05, 0.08, 0.07, 0.07, 0.06, 0.05, 0.05, 0.04, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03,
    0.04, 0.03, 0.03, 0.02, 0.01, 0.01
  };
  static final int[] COUNTRY_UTC_OFFSET_MINUTES = {
    -300, -360, -480, -180, 0, 60, -360, 330, 60, 60, 60, 60, 60, 60, -300, 600, 540,
    420, 480, -180, 180, 120, 60
  };

  static final String[] PLATFORMS = {"android", "ios", "windows", "osx", "web_player", "linux", "cast", "car"};
  static final double[] PLATFORM_SHARE = {0.45, 0.31, 0.09, 0.06, 0.03, 0.01, 0.03, 0.02};

  // Context types. Indexes are used by SessionBuilder.
  static final int USER_COLLECTION = 0;
  static final int PERSONALIZED_PLAYLIST = 1;
  static final int EDITORIAL_PLAYLIST = 2;
  static final int CATALOG = 3;
  static final int RADIO = 4;
  static final int SEARCH = 5;
  static final int CHARTS = 6;
  static final int HOME = 7;
  static final String[] CONTEXTS = {
    "user_collection", "personalized_playlist", "editorial_playlist", "catalog", "radio", "search", "charts", "home"
  };
  static final double[] CONTEXT_SHARE = {0.27, 0.18, 0.15, 0.14, 0.08, 0.07, 0.04, 0.07};

  /** How a user starts something by hand (first play of a session or of a new context). */
  static final String[] MANUAL_STARTS = {"clickrow", "playbtn", "clickside", "uriopen", "remote", "popup"};
  static final double[] MANUAL_START_SHARE = {0.52, 0.30, 0.07, 0.05, 0.05, 0.01};

  /** How a session ends: the last play. */
  static final String[] SESSION_ENDS = {"endplay", "trackdone", "logout", "unexpected-exit", "remote"};
  static final double[] SESSION_END_SHARE = {0.42, 0.33, 0.12, 0.08, 0.05};

  static final String[] BAD_CONTENT_TYPES = {"VIDEO", "AUDIOBOOK"};
}
