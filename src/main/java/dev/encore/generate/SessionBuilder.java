package dev.encore.generate;

import static dev.encore.generate.Vocabulary.CATALOG;
import static dev.encore.generate.Vocabulary.CHARTS;
import static dev.encore.generate.Vocabulary.EDITORIAL_PLAYLIST;
import static dev.encore.generate.Vocabulary.HOME;
import static dev.encore.generate.Vocabulary.PERSONALIZED_PLAYLIST;
import static dev.encore.generate.Vocabulary.RADIO;
import static dev.encore.generate.Vocabulary.SEARCH;
import static dev.encore.generate.Vocabulary.USER_COLLECTION;

/**
 * Builds the content of one session: which items, in which context, how long each was played and why it
 * started and ended. Times are relative (pauses between plays); placement in the day comes later.
 *
 * <p>A session is a run of contexts (an album, a playlist, the radio...): several plays in a row come from the
 * same context, and a context change is a manual start (clickrow, playbtn...). Skips are short and end with
 * fwdbtn; auto-advance after a full play starts the next one with trackdone.
 */
final class SessionBuilder {
  /** Share of plays a context hands to an artist the listener may not know. */
  private static final double[] DISCOVERY_SHARE = {0.0, 0.22, 0.35, 0.12, 0.4, 0.3, 0.5, 0.3};
  /** How much more (or less) often plays are skipped in each context. */
  private static final double[] SKIP_FACTOR = {0.85, 1.2, 1.3, 0.55, 1.3, 0.5, 1.2, 1.1};
  /** How likely shuffle is on, relative to the listener's habit. */
  private static final double[] SHUFFLE_FACTOR = {1.0, 0.6, 0.6, 0.25, 0.0, 0.0, 0.4, 0.3};

  private final Catalog catalog;
  private final Listener listener;
  private final Taste taste;
  private final Rng rng;
  /** The bot streams these few obscure artists' tracks over and over. */
  private final int[] botArtists;

  // The current context.
  private int context;
  private boolean shuffle;
  private int seedArtist;
  private int contextAlbum;
  private int albumPosition;
  /** The last two track plays of the session, for the back button. */
  private final PlayDraft[] recent = new PlayDraft[2];

  SessionBuilder(Catalog catalog, Listener listener, Taste taste, Rng rng) {
    this.catalog = catalog;
    this.listener = listener;
    this.taste = taste;
    this.rng = rng;
    this.botArtists = new int[4];
    for (int i = 0; i < botArtists.length; i++) {
      // From the far tail of the popularity ranking: nobody else would play them.
      botArtists[i] = catalog.artistCount - 1 - rng.nextInt(Math.max(1, catalog.artistCount / 4));
    }
  }

  /** A session of exactly n plays; the first play of the day may open the app (appload). */
  Session build(int n, boolean firstOfDay) {
    Session session = new Session();
    String platform = listener.secondPlatform != null && rng.chance(0.2) ? listener.secondPlatform : listener.platform;
    if (listener.bot) {
      for (int i = 0; i < n; i++) {
        session.plays.add(botPlay(i, platform));
      }
      return session;
    }
    session.privateMode = rng.chance(listener.privateSessionShare);
    session.offline = !session.privateMode && rng.chance(listener.offlineSessionShare);
    int episodes = 0;
    if (rng.chance(listener.podcastSessionShare)) {
      // A podcast first (commute, chores), and music afterwards if the session goes on.
      episodes = Math.min(n, 1 + rng.geometric(0.5));
    }
    recent[0] = null;
    recent[1] = null;
    String previousEnd = null;
    for (int i = 0; i < n; i++) {
      boolean last = i == n - 1;
      PlayDraft p = i < episodes ? episodePlay(last) : trackPlay(i == episodes, last, previousEnd);
      p.platform = platform;
      if (i == 0) {
        p.reasonStart = firstOfDay && rng.chance(0.25) ? "appload" : manualStart();
        p.gapBeforeMs = 0;
      }
      if (!listener.reportsSkipFlag || rng.chance(0.02)) {
        p.skipped = null;
      }
      if (rng.chance(0.002)) {
        p.durationKnown = false;
      }
      if (rng.chance(0.01)) {
        p.contextType = null;
      }
      if (rng.chance(0.003)) {
        p.platform = null;
      }
      previousEnd = p.reasonEnd;
      session.plays.add(p);
    }
    return session;
  }

  /**
   * A return visit for {@link Returns}: n plays of one artist's tracks (or one episode of a show), each played
   * through, started by hand from the library or a search. It always counts: never private, offline or broken.
   */
  Session returnVisit(boolean episode, int entity, int n) {
    Session session = new Session();
    session.forceValid = true;
    String context = Vocabulary.CONTEXTS[rng.chance(0.6) ? USER_COLLECTION : SEARCH];
    int album = episode ? -1 : catalog.popularAlbum(entity, rng);
    for (int i = 0; i < (episode ? 1 : n); i++) {
      PlayDraft p = new PlayDraft();
      if (episode) {
        p.episode = true;
        p.show = entity;
        p.episodeNumber = Math.max(0, catalog.episodeCount(entity) - 1 - rng.nextInt(8));
        p.durationMs = catalog.episodeDurationMs(entity, p.episodeNumber);
        p.msPlayed = rng.chance(0.5) ? p.durationMs : (long) (p.durationMs * rng.uniform(0.3, 0.95));
        p.reasonEnd = p.msPlayed == p.durationMs ? "trackdone" : "endplay";
      } else {
        p.artist = entity;
        p.album = album;
        p.track = catalog.popularTrack(album, rng);
        p.durationMs = catalog.trackDurationMs(p.track);
        p.msPlayed = p.durationMs;
        p.reasonEnd = "trackdone";
      }
      p.contextType = context;
      p.reasonStart = i == 0 ? manualStart() : "trackdone";
      p.gapBeforeMs = i == 0 ? 0 : (long) rng.uniform(0, 900);
      p.platform = listener.platform;
      p.shuffle = false;
      p.skipped = listener.reportsSkipFlag ? false : null;
      session.plays.add(p);
    }
    return session;
  }

  private String manualStart() {
    return Vocabulary.MANUAL_STARTS[rng.pick(Vocabulary.MANUAL_START_SHARE)];
  }

  private void newContext() {
    context = rng.pick(listener.contextWeights);
    shuffle = rng.chance(listener.shufflePropensity * SHUFFLE_FACTOR[context]);
    seedArtist = context == RADIO || context == CATALOG || context == SEARCH
        ? (rng.chance(0.75) ? taste.libraryArtist(rng) : taste.genreArtist(rng))
        : -1;
    contextAlbum = seedArtist >= 0 ? catalog.popularAlbum(seedArtist, rng) : -1;
    albumPosition = 0;
  }

  private PlayDraft trackPlay(boolean firstTrack, boolean last, String previousEnd) {
    boolean manual = firstTrack || previousEnd == null || "endplay".equals(previousEnd)
        || (contextAlbum >= 0 && !shuffle && albumPosition >= catalog.trackCount(contextAlbum))
        || rng.chance(0.06);
    if (manual) {
      newContext();
    }
    PlayDraft p = new PlayDraft();
    p.contextType = Vocabulary.CONTEXTS[context];
    p.shuffle = shuffle;

    if ("backbtn".equals(previousEnd) && recent[1] != null) {
      // Back button: the track before again.
      PlayDraft before = recent[1];
      p.artist = before.artist;
      p.album = before.album;
      p.track = before.track;
    } else if (contextAlbum >= 0 && context != RADIO) {
      // Album or artist page, or a search result and what follows it: the album, in order unless shuffled.
      int n = catalog.trackCount(contextAlbum);
      int position = shuffle ? rng.nextInt(n) : Math.min(albumPosition, n - 1);
      albumPosition++;
      p.artist = seedArtist;
      p.album = contextAlbum;
      p.track = catalog.track(contextAlbum, position);
    } else {
      p.artist = chooseArtist();
      p.album = catalog.popularAlbum(p.artist, rng);
      p.track = catalog.popularTrack(p.album, rng);
    }
    int artist = p.artist;
    p.durationMs = catalog.trackDurationMs(p.track);
    recent[1] = recent[0];
    recent[0] = p;

    boolean known = taste.knows(artist);
    p.reasonStart = manual ? manualStart() : continuation(previousEnd);
    p.gapBeforeMs = gapAfter(previousEnd, manual);
    endTrack(p, last, known);
    boolean playedThrough = p.msPlayed >= p.durationMs * 0.9;
    taste.heard(artist, playedThrough, Boolean.TRUE.equals(p.skipped) || "fwdbtn".equals(p.reasonEnd), rng);
    return p;
  }

  private int chooseArtist() {
    switch (context) {
      case RADIO:
        // Radio plays the seed's genre: the seed itself, library artists and a good share of new ones.
        if (rng.chance(0.25)) {
          return seedArtist;
        }
        return rng.chance(DISCOVERY_SHARE[RADIO] * listener.discoveryRate)
            ? catalog.artistInGenre(catalog.genreOf(seedArtist), rng)
            : taste.libraryArtist(rng);
      case CHARTS:
        return rng.chance(0.8) ? catalog.chartArtist(rng, 200) : taste.libraryArtist(rng);
      case USER_COLLECTION:
        return taste.libraryArtist(rng);
      default:
        return rng.chance(Math.min(0.9, DISCOVERY_SHARE[context] * listener.discoveryRate))
            ? taste.genreArtist(rng)
            : taste.libraryArtist(rng);
    }
  }

  /** Decides how the track ended and so how long it was played. */
  private void endTrack(PlayDraft p, boolean last, boolean knownArtist) {
    long duration = p.durationMs;
    double skipChance = Math.min(0.85, listener.skipPropensity * SKIP_FACTOR[context] * (knownArtist ? 0.85 : 1.6));
    if (!last && rng.chance(skipChance)) {
      p.reasonEnd = "fwdbtn";
      p.msPlayed = Math.min(duration, skipLength());
      p.skipped = true;
      return;
    }
    p.skipped = false;
    double x = rng.nextDouble();
    if (!last && x < 0.02) {
      p.reasonEnd = "backbtn";
      p.msPlayed = Math.min(duration, (long) rng.uniform(500, 20_000));
    } else if (x < 0.025) {
      p.reasonEnd = "trackerror";
      p.msPlayed = rng.chance(0.6) ? 0 : (long) rng.uniform(1, 3_000);
    } else if (!last && x < 0.07) {
      // The listener picked something else before the end.
      p.reasonEnd = "endplay";
      p.msPlayed = (long) (duration * rng.uniform(0.05, 0.95));
    } else if (last) {
      p.reasonEnd = Vocabulary.SESSION_ENDS[rng.pick(Vocabulary.SESSION_END_SHARE)];
      p.msPlayed = "trackdone".equals(p.reasonEnd) ? duration : (long) (duration * rng.uniform(0.02, 0.98));
    } else {
      p.reasonEnd = "trackdone";
      p.msPlayed = duration;
    }
  }

  /** Skips are short: many within seconds, a few after a minute or so; some register no time at all. */
  private long skipLength() {
    double x = rng.nextDouble();
    if (x < 0.07) {
      return 0;
    }
    if (x < 0.62) {
      return (long) rng.uniform(200, 10_000);
    }
    if (x < 0.88) {
      return (long) rng.uniform(10_000, 30_000);
    }
    return (long) rng.uniform(30_000, 90_000);
  }

  private PlayDraft episodePlay(boolean last) {
    PlayDraft p = new PlayDraft();
    p.episode = true;
    p.show = taste.nextShow(rng);
    p.episodeNumber = taste.episodeOf(p.show);
    boolean resumed = taste.resumes(p.show);
    p.durationMs = catalog.episodeDurationMs(p.show, p.episodeNumber);
    p.contextType = Vocabulary.CONTEXTS[pickEpisodeContext()];
    p.shuffle = false;
    p.reasonStart = "clickrow";
    p.gapBeforeMs = (long) rng.uniform(1_000, 20_000);
    double x = rng.nextDouble();
    boolean finished = false;
    boolean midway = false;
    if (x < 0.1) {
      // Sampled and left: under the 60 s podcast threshold.
      p.reasonEnd = "fwdbtn";
      p.skipped = true;
      p.msPlayed = (long) rng.uniform(0, 60_000);
    } else if (x < 0.45 && !resumed) {
      p.reasonEnd = "trackdone";
      p.skipped = false;
      p.msPlayed = p.durationMs;
      finished = true;
    } else {
      // Stopped part way (or resumed and stopped again); podcasts are often heard in pieces.
      p.reasonEnd = last ? Vocabulary.SESSION_ENDS[rng.pick(Vocabulary.SESSION_END_SHARE)] : "endplay";
      if ("trackdone".equals(p.reasonEnd)) {
        p.reasonEnd = "endplay";
      }
      p.skipped = false;
      p.msPlayed = (long) (p.durationMs * (resumed ? rng.uniform(0.2, 0.6) : rng.uniform(0.08, 0.9)));
      midway = true;
    }
    taste.heardEpisode(p.show, finished, midway, Boolean.TRUE.equals(p.skipped), rng);
    return p;
  }

  private int pickEpisodeContext() {
    double x = rng.nextDouble();
    return x < 0.55 ? USER_COLLECTION : x < 0.8 ? CATALOG : x < 0.95 ? HOME : SEARCH;
  }

  /** Within a context the next play starts the way the previous one ended. */
  private static String continuation(String previousEnd) {
    if (previousEnd == null) {
      return "trackdone";
    }
    switch (previousEnd) {
      case "fwdbtn":
      case "backbtn":
      case "trackerror":
        return previousEnd;
      default:
        return "trackdone";
    }
  }

  /** Seconds between plays: near zero on auto-advance, a little more by hand, and now and then a real pause. */
  private long gapAfter(String previousEnd, boolean manual) {
    if (rng.chance(0.03)) {
      return (long) rng.uniform(60_000, 20 * 60_000);
    }
    if (manual) {
      return (long) rng.uniform(1_500, 45_000);
    }
    if ("fwdbtn".equals(previousEnd) || "backbtn".equals(previousEnd)) {
      return (long) rng.uniform(100, 1_500);
    }
    return (long) rng.uniform(0, 900);
  }

  private PlayDraft botPlay(int i, String platform) {
    PlayDraft p = new PlayDraft();
    int artist = botArtists[rng.nextInt(botArtists.length)];
    int album = catalog.album(artist, rng.nextInt(catalog.albumCount(artist)));
    p.artist = artist;
    p.album = album;
    p.track = catalog.track(album, rng.nextInt(catalog.trackCount(album)));
    p.durationMs = catalog.trackDurationMs(p.track);
    // Just over the 30 s stream threshold, then the next one: stream farming.
    p.msPlayed = (long) rng.uniform(30_200, 36_000);
    p.contextType = "user_collection";
    p.reasonStart = i == 0 ? "clickrow" : "fwdbtn";
    p.reasonEnd = "fwdbtn";
    p.skipped = false;
    p.shuffle = false;
    p.platform = platform;
    p.gapBeforeMs = (long) rng.uniform(150, 700);
    return p;
  }
}
