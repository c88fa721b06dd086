package dev.encore.generate;

/**
 * A listener's changing taste: the artists and shows they return to, and how strongly.
 *
 * <p>It starts with a few core favourites. Artists met by chance (playlists, radio, charts) are mostly heard
 * once; some are adopted with a small affinity that grows when they are played through and fades day by day
 * otherwise. That gives the shape later work measures as discovery stickiness: most discoveries are never
 * played again, a few become regulars. Size is bounded, so memory does not grow with the number of plays.
 */
final class Taste {
  private static final int MAX_ARTISTS = 160;
  private static final int MAX_SHOWS = 12;
  private static final double FORGOTTEN = 0.03;

  private final Catalog catalog;
  private final Listener listener;

  private final int[] artists = new int[MAX_ARTISTS];
  private final double[] affinity = new double[MAX_ARTISTS];
  private final boolean[] core = new boolean[MAX_ARTISTS];
  private int artistCount;

  private final int[] shows = new int[MAX_SHOWS];
  private final double[] showAffinity = new double[MAX_SHOWS];
  /** Next episode the listener will play, per followed show. */
  private final int[] showCursor = new int[MAX_SHOWS];
  /** True when the last play of the show stopped in the middle, so the next one resumes the same episode. */
  private final boolean[] showResume = new boolean[MAX_SHOWS];
  private int showCount;

  Taste(Catalog catalog, Listener listener, Rng rng) {
    this.catalog = catalog;
    this.listener = listener;
    for (int i = 0; i < listener.coreArtistCount; i++) {
      int artist = genreArtist(rng);
      if (indexOfArtist(artist) < 0) {
        add(artist, 2.0 / Math.pow(i + 1, 0.7), true);
      }
    }
    if (listener.podcastSessionShare > 0) {
      int n = 1 + rng.nextInt(3);
      for (int i = 0; i < n; i++) {
        followShow(catalog.popularShow(rng, favouriteGenre(rng)), rng, 1.0 / (i + 1));
      }
    }
  }

  int favouriteGenre(Rng rng) {
    int[] genres = listener.favouriteGenres;
    return rng.chance(0.85) ? genres[rng.nextInt(genres.length)] : rng.nextInt(Catalog.GENRES);
  }

  /** A popular artist of one of the listener's genres (sometimes another genre). */
  int genreArtist(Rng rng) {
    return catalog.artistInGenre(favouriteGenre(rng), rng);
  }

  /** An artist from the library, by affinity; a genre artist if the library is empty. */
  int libraryArtist(Rng rng) {
    if (artistCount == 0) {
      return genreArtist(rng);
    }
    double total = 0;
    for (int i = 0; i < artistCount; i++) {
      total += affinity[i];
    }
    double x = rng.nextDouble() * total;
    for (int i = 0; i < artistCount; i++) {
      x -= affinity[i];
      if (x < 0) {
        return artists[i];
      }
    }
    return artists[artistCount - 1];
  }

  boolean knows(int artist) {
    return indexOfArtist(artist) >= 0;
  }

  /** Called after each track play: adopt a new artist sometimes, reinforce or weaken a known one. */
  void heard(int artist, boolean playedThrough, boolean skipped, Rng rng) {
    int i = indexOfArtist(artist);
    if (i >= 0) {
      if (playedThrough) {
        affinity[i] = Math.min(4.0, affinity[i] + 0.06);
      } else if (skipped) {
        affinity[i] = Math.max(0, affinity[i] - 0.04);
      }
      return;
    }
    if (!skipped && rng.chance(listener.adoptChance * (playedThrough ? 1.0 : 0.3))) {
      add(artist, rng.uniform(0.3, 1.5), false);
    }
  }

  /** Once per day: interest in artists that are not core favourites fades; forgotten ones leave the library. */
  void endOfDay() {
    int kept = 0;
    for (int i = 0; i < artistCount; i++) {
      double a = affinity[i] * (core[i] ? 0.998 : 0.96);
      if (core[i] || a >= FORGOTTEN) {
        artists[kept] = artists[i];
        affinity[kept] = a;
        core[kept] = core[i];
        kept++;
      }
    }
    artistCount = kept;
    for (int i = 0; i < showCount; i++) {
      showAffinity[i] *= 0.99;
    }
  }

  private void add(int artist, double a, boolean isCore) {
    if (artistCount == MAX_ARTISTS) {
      // Full: the weakest non-core artist makes room.
      int weakest = -1;
      for (int i = 0; i < artistCount; i++) {
        if (!core[i] && (weakest < 0 || affinity[i] < affinity[weakest])) {
          weakest = i;
        }
      }
      if (weakest < 0) {
        return;
      }
      artists[weakest] = artist;
      affinity[weakest] = a;
      core[weakest] = isCore;
      return;
    }
    artists[artistCount] = artist;
    affinity[artistCount] = a;
    core[artistCount] = isCore;
    artistCount++;
  }

  private int indexOfArtist(int artist) {
    for (int i = 0; i < artistCount; i++) {
      if (artists[i] == artist) {
        return i;
      }
    }
    return -1;
  }

  // Shows.

  /** Picks a followed show (or, now and then, finds a new one) and returns its index in the catalog. */
  int nextShow(Rng rng) {
    if (showCount == 0 || rng.chance(0.04 * listener.discoveryRate)) {
      followShow(catalog.popularShow(rng, favouriteGenre(rng)), rng, 0.3);
    }
    double total = 0;
    for (int i = 0; i < showCount; i++) {
      total += showAffinity[i];
    }
    double x = rng.nextDouble() * total;
    for (int i = 0; i < showCount; i++) {
      x -= showAffinity[i];
      if (x < 0) {
        return shows[i];
      }
    }
    return shows[showCount - 1];
  }

  /** The episode to play next of a followed show. */
  int episodeOf(int show) {
    int i = indexOfShow(show);
    return showCursor[i];
  }

  /** After an episode play: move on when finished, resume later when stopped in the middle. */
  void heardEpisode(int show, boolean finished, boolean stoppedMidway, boolean skipped, Rng rng) {
    int i = indexOfShow(show);
    if (finished || skipped || !stoppedMidway || !rng.chance(0.6)) {
      showCursor[i] = Math.min(showCursor[i] + 1, catalog.episodeCount(show) - 1);
      showResume[i] = false;
    } else {
      showResume[i] = true;
    }
    showAffinity[i] = finished ? Math.min(3, showAffinity[i] + 0.1) : Math.max(0.02, showAffinity[i] - 0.03);
    if (showCursor[i] == catalog.episodeCount(show) - 1) {
      // Caught up with the show: little left to hear until new episodes would come out.
      showAffinity[i] = 0.02;
    }
  }

  /** True when the next play of this show resumes an episode stopped in the middle. */
  boolean resumes(int show) {
    return showResume[indexOfShow(show)];
  }

  private void followShow(int show, Rng rng, double a) {
    if (indexOfShow(show) >= 0) {
      return;
    }
    int slot = showCount;
    if (showCount == MAX_SHOWS) {
      slot = 0;
      for (int i = 1; i < showCount; i++) {
        if (showAffinity[i] < showAffinity[slot]) {
          slot = i;
        }
      }
    } else {
      showCount++;
    }
    shows[slot] = show;
    showAffinity[slot] = a;
    // New followers start at one of the later episodes and work forward.
    int episodes = catalog.episodeCount(show);
    showCursor[slot] = Math.max(0, episodes - 1 - rng.between(10, 120));
    showResume[slot] = false;
  }

  private int indexOfShow(int show) {
    for (int i = 0; i < showCount; i++) {
      if (shows[i] == show) {
        return i;
      }
    }
    return -1;
  }
}
