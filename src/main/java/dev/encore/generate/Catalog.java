package dev.encore.generate;

import java.util.Arrays;

/**
 * The music and podcast catalog: artists with albums of tracks, shows with episodes, grouped in genres.
 *
 * <p>Popularity is Zipf-like: artist 0 is the most popular, and so on down a long tail; within an artist the
 * newest album and a few hit tracks get most plays. Only the structure (how many albums, tracks, episodes)
 * is stored; durations and ids are computed from hashes when needed, so even a large catalog costs a few MB.
 */
final class Catalog {
  static final int GENRES = 24;
  private static final double ARTIST_ZIPF = 1.05;
  private static final double SHOW_ZIPF = 1.1;

  private final long seed;
  final int artistCount;
  final int showCount;

  /** Artist a owns albums albumStart[a] .. albumStart[a+1]-1. */
  private final int[] albumStart;
  /** Album b owns tracks trackStart[b] .. trackStart[b+1]-1 (global track numbers). */
  private final long[] trackStart;
  private final int[] artistGenre;
  private final String[] artistIds;
  /** Cumulative popularity of all artists, and per genre: the artists of the genre and their cumulative popularity. */
  private final double[] artistCdf;
  private final int[][] genreArtists;
  private final double[][] genreCdf;

  private final int[] episodeCount;
  private final int[] showGenre;
  private final int[] showMedianMinutes;
  private final String[] showIds;
  private final double[] showCdf;

  Catalog(long seed, int users) {
    this.seed = seed;
    // A long tail even for a small sample, so that heavy listeners keep finding artists new to them.
    this.artistCount = (int) Math.min(150_000, Math.max(20_000, users * 12L));
    this.showCount = (int) Math.min(20_000, Math.max(300, users / 3L));
    Rng rng = Rng.of(seed, 100, 0);

    albumStart = new int[artistCount + 1];
    artistGenre = new int[artistCount];
    int albums = 0;
    for (int a = 0; a < artistCount; a++) {
      albumStart[a] = albums;
      artistGenre[a] = rng.nextInt(GENRES);
      // Popular artists have long discographies; the tail has a single or two.
      double meanAlbums = 1.3 + 7.0 / Math.sqrt(1 + a / 50.0);
      albums += 1 + rng.geometric(1.0 / meanAlbums);
    }
    albumStart[artistCount] = albums;
    trackStart = new long[albums + 1];
    long tracks = 0;
    for (int b = 0; b < albums; b++) {
      trackStart[b] = tracks;
      double kind = rng.nextDouble();
      int n = kind < 0.35 ? 1 : kind < 0.5 ? rng.between(3, 6) : rng.between(8, 16);
      tracks += n;
    }
    trackStart[albums] = tracks;

    artistIds = new String[artistCount];
    for (int a = 0; a < artistCount; a++) {
      artistIds[a] = Ids.catalogId(seed, Ids.ARTIST, a);
    }
    artistCdf = zipfCdf(artistCount, ARTIST_ZIPF);
    int[] perGenre = new int[GENRES];
    for (int g : artistGenre) {
      perGenre[g]++;
    }
    genreArtists = new int[GENRES][];
    genreCdf = new double[GENRES][];
    for (int g = 0; g < GENRES; g++) {
      genreArtists[g] = new int[perGenre[g]];
      genreCdf[g] = new double[perGenre[g]];
    }
    int[] fill = new int[GENRES];
    double[] running = new double[GENRES];
    for (int a = 0; a < artistCount; a++) {
      int g = artistGenre[a];
      running[g] += Math.pow(a + 1, -ARTIST_ZIPF);
      genreArtists[g][fill[g]] = a;
      genreCdf[g][fill[g]] = running[g];
      fill[g]++;
    }

    episodeCount = new int[showCount];
    showGenre = new int[showCount];
    showMedianMinutes = new int[showCount];
    showIds = new String[showCount];
    for (int s = 0; s < showCount; s++) {
      episodeCount[s] = rng.between(20, 300);
      showGenre[s] = rng.nextInt(GENRES);
      showMedianMinutes[s] = rng.between(15, 75);
      showIds[s] = Ids.catalogId(seed, Ids.SHOW, s);
    }
    showCdf = zipfCdf(showCount, SHOW_ZIPF);
  }

  private static double[] zipfCdf(int n, double exponent) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Math.pow(i + 1, -exponent);
      cdf[i] = sum;
    }
    return cdf;
  }

  private static int sampleCdf(double[] cdf, Rng rng) {
    return samplePrefix(cdf, cdf.length, rng);
  }

  /** Draws from the first n entries of a cumulative distribution. */
  private static int samplePrefix(double[] cdf, int n, Rng rng) {
    double x = rng.nextDouble() * cdf[n - 1];
    int i = Arrays.binarySearch(cdf, 0, n, x);
    return i >= 0 ? i : Math.min(-i - 1, n - 1);
  }

  /** An artist drawn by global popularity. */
  int popularArtist(Rng rng) {
    return sampleCdf(artistCdf, rng);
  }

  /** An artist of the genre, drawn by popularity. */
  int artistInGenre(int genre, Rng rng) {
    return genreArtists[genre][sampleCdf(genreCdf[genre], rng)];
  }

  /** An artist from the first `top` of the popularity ranking, as charts show. */
  int chartArtist(Rng rng, int top) {
    return samplePrefix(artistCdf, Math.min(top, artistCount), rng);
  }

  int genreOf(int artist) {
    return artistGenre[artist];
  }

  int albumCount(int artist) {
    return albumStart[artist + 1] - albumStart[artist];
  }

  /** Global album number of the artist's i-th album (0 = oldest). */
  int album(int artist, int i) {
    return albumStart[artist] + i;
  }

  int trackCount(int album) {
    return (int) (trackStart[album + 1] - trackStart[album]);
  }

  long track(int album, int position) {
    return trackStart[album] + position;
  }

  /** An album of the artist: the newest is played most, older ones less and less. */
  int popularAlbum(int artist, Rng rng) {
    int n = albumCount(artist);
    int back = Math.min(n - 1, rng.geometric(0.45));
    return album(artist, n - 1 - back);
  }

  /** A track of the album: a couple of hits (at a per-album place) get most plays. */
  long popularTrack(int album, Rng rng) {
    int n = trackCount(album);
    int rank = Math.min(n - 1, rng.geometric(0.35));
    int offset = (int) Long.remainderUnsigned(Rng.mix(seed ^ album * 0x9E3779B97F4A7C15L), n);
    return track(album, (rank + offset) % n);
  }

  /** Track length: 2 to 6 minutes, most around 3.5. */
  long trackDurationMs(long track) {
    long h = Rng.mix(seed * 7 + track * 0x9E3779B97F4A7C15L + Ids.TRACK);
    double u1 = ((h >>> 11) * 0x1.0p-53);
    double u2 = ((Rng.mix(h) >>> 11) * 0x1.0p-53);
    double g = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    long ms = Math.round(210_000 * Math.exp(0.22 * g));
    return Math.max(120_000, Math.min(360_000, ms));
  }

  String artistId(int artist) {
    return artistIds[artist];
  }

  String albumId(int album) {
    return Ids.catalogId(seed, Ids.ALBUM, album);
  }

  String trackId(long track) {
    return Ids.catalogId(seed, Ids.TRACK, track);
  }

  /** A show drawn by popularity, preferring the genre half of the time. */
  int popularShow(Rng rng, int genre) {
    for (int attempt = 0; attempt < 8; attempt++) {
      int s = sampleCdf(showCdf, rng);
      if (showGenre[s] == genre || rng.chance(0.5)) {
        return s;
      }
    }
    return sampleCdf(showCdf, rng);
  }

  int episodeCount(int show) {
    return episodeCount[show];
  }

  /** Episode length: 10 to 90 minutes around the show's usual length. */
  long episodeDurationMs(int show, int episode) {
    long h = Rng.mix(seed * 13 + ((long) show << 20) + episode + Ids.EPISODE);
    double u = (h >>> 11) * 0x1.0p-53;
    long ms = Math.round(showMedianMinutes[show] * 60_000 * (0.7 + 0.6 * u)) + (h & 0xFFFF);
    return Math.max(600_000, Math.min(5_400_000, ms));
  }

  String showId(int show) {
    return showIds[show];
  }

  String episodeId(int show, int episode) {
    return Ids.catalogId(seed, Ids.EPISODE, ((long) show << 20) | episode);
  }
}
