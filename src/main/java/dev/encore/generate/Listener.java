package dev.encore.generate;

/**
 * One account's fixed traits: where and when it listens, how much, how it skips and explores.
 *
 * <p>Traits are drawn from their own random stream (seed, user), so they can be recomputed cheaply both by the
 * budget pass (which only needs activity weight and capacity) and by the generation pass.
 *
 * <p>Every listener sleeps: each UTC day has one fixed gap of at least four hours (sleepMinutes) in which no
 * play runs, and plays are only laid out inside the awake window between two sleeps. That is what guarantees
 * that no chain of plays lasts 24 hours, even for the bot.
 */
final class Listener {
  static final long MINUTE = 60_000L;
  static final long DAY = 86_400_000L;
  /** Most plays a person fits in one awake window; more would mean listening without pause for 16 hours. */
  static final int HUMAN_PLAYS_PER_DAY_CAP = 180;
  /** The bot plays ~35 s tracks in bursts, so it fits many more. */
  static final int BOT_PLAYS_PER_DAY_CAP = 1_200;

  final int index;
  final String userId;
  final boolean bot;
  final String country;
  final String platform;
  /** Another device used for some sessions, or null. */
  final String secondPlatform;
  final int utcOffsetMinutes;
  /** Minute of the UTC day when the awake window starts, and its length. */
  final int wakeUtcMinute;
  final int awakeMinutes;
  /** Relative share of all plays (heavy-tailed: a few power users, many light ones). */
  final double weight;
  /** First period in which the account exists: -1 for accounts older than the data, else its sign-up day. */
  final int joinPeriod;
  /** Share of the observed days the listener is active on, before churn. */
  final double activeShare;
  final double churnHazard;
  final double returnChance;
  final double medianPlaysPerSession;
  final double skipPropensity;
  final double shufflePropensity;
  /** False for old clients that never send the skip flag. */
  final boolean reportsSkipFlag;
  final double podcastSessionShare;
  final double[] contextWeights;
  final int[] favouriteGenres;
  final int coreArtistCount;
  /** Chance that an artist met by chance is kept and played again. */
  final double adoptChance;
  final double discoveryRate;
  final double privateSessionShare;
  final double offlineSessionShare;

  private Listener(int index, long seed, boolean bot, int days) {
    Rng rng = Rng.of(seed, 200, index);
    this.index = index;
    this.userId = Ids.userId(seed, index);
    this.bot = bot;
    int c = rng.pick(Vocabulary.COUNTRY_SHARE);
    this.country = Vocabulary.COUNTRIES[c];
    this.utcOffsetMinutes = Vocabulary.COUNTRY_UTC_OFFSET_MINUTES[c];
    this.platform = bot ? "android" : Vocabulary.PLATFORMS[rng.pick(Vocabulary.PLATFORM_SHARE)];
    String second = Vocabulary.PLATFORMS[rng.pick(Vocabulary.PLATFORM_SHARE)];
    this.secondPlatform = !bot && rng.chance(0.35) && !second.equals(platform) ? second : null;

    int sleepStartLocal;
    int sleepMinutes;
    if (bot) {
      // A script on a phone that is charged (and rebooted) a few hours each day.
      sleepStartLocal = rng.nextInt(1440);
      sleepMinutes = rng.between(240, 330);
    } else {
      // Around 23:30 local, night owls and early birds on either side; 5 to 10 hours asleep.
      sleepStartLocal = (int) Math.round(1410 + 75 * clamp(rng.gaussian(), -2.5, 3.0));
      sleepMinutes = (int) Math.round(clamp(rng.logNormal(450, 0.12), 300, 600));
    }
    this.awakeMinutes = 1440 - sleepMinutes;
    int wakeLocal = Math.floorMod(sleepStartLocal + sleepMinutes, 1440);
    this.wakeUtcMinute = Math.floorMod(wakeLocal - utcOffsetMinutes, 1440);

    // Heavy-tailed, but no person plays like the bot: at most 20 times the median listener.
    this.weight = bot ? 0 : Math.min(20, rng.logNormal(1.0, 1.2));
    this.joinPeriod = !bot && rng.chance(0.2) ? rng.nextInt(days) : -1;
    this.activeShare = bot ? 0.97 : clamp(0.22 * Math.sqrt(weight), 0.03, 0.9);
    this.churnHazard = bot ? 0 : clamp(rng.logNormal(0.012, 0.7), 0.001, 0.08);
    this.returnChance = clamp(rng.logNormal(0.05, 0.6), 0.005, 0.4);
    this.medianPlaysPerSession = bot ? 25 : clamp(rng.logNormal(9, 0.5), 2, 40);
    this.skipPropensity = bot ? 0 : clamp(0.05 + 0.5 * Math.pow(rng.nextDouble(), 1.5), 0.02, 0.6);
    this.shufflePropensity = rng.uniform(0.15, 0.9);
    this.reportsSkipFlag = bot || rng.chance(0.8);
    this.podcastSessionShare = !bot && rng.chance(0.35) ? rng.uniform(0.1, 0.5) : 0;
    this.contextWeights = new double[Vocabulary.CONTEXT_SHARE.length];
    for (int i = 0; i < contextWeights.length; i++) {
      contextWeights[i] = Vocabulary.CONTEXT_SHARE[i] * rng.logNormal(1, 0.6);
    }
    this.favouriteGenres = new int[1 + rng.nextInt(3)];
    for (int i = 0; i < favouriteGenres.length; i++) {
      favouriteGenres[i] = rng.nextInt(Catalog.GENRES);
    }
    this.coreArtistCount = (int) clamp(Math.round(3 + rng.logNormal(8, 0.6) * Math.pow(Math.max(weight, 0.1), 0.25)), 3, 80);
    this.adoptChance = rng.uniform(0.3, 0.7);
    this.discoveryRate = clamp(rng.logNormal(1, 0.45), 0.3, 3);
    this.privateSessionShare = bot ? 0 : 0.02;
    this.offlineSessionShare = bot ? 0 : 0.03;
  }

  static Listener create(long seed, int index, boolean bot, int days) {
    return new Listener(index, seed, bot, days);
  }

  static double clamp(double x, double lo, double hi) {
    return Math.max(lo, Math.min(hi, x));
  }

  int playsPerDayCap() {
    return bot ? BOT_PLAYS_PER_DAY_CAP : HUMAN_PLAYS_PER_DAY_CAP;
  }

  /** Start of the awake window of period k (k = -1 .. days-1), before clipping to the generated range. */
  long windowStart(long rangeStartMs, int k) {
    return rangeStartMs + k * DAY + wakeUtcMinute * MINUTE;
  }

  long windowEnd(long rangeStartMs, int k) {
    return windowStart(rangeStartMs, k) + awakeMinutes * MINUTE;
  }

  /**
   * Most plays that fit in period k: the daily cap, scaled by how much of the awake window lies inside the
   * generated range (the first and last windows are cut), zero before the account exists.
   */
  int periodCap(long rangeStartMs, int days, int k) {
    if (k < joinPeriod) {
      return 0;
    }
    long rangeEnd = rangeStartMs + days * DAY;
    long a = Math.max(windowStart(rangeStartMs, k), rangeStartMs);
    long b = Math.min(windowEnd(rangeStartMs, k), rangeEnd);
    if (b <= a) {
      return 0;
    }
    return (int) (playsPerDayCap() * (double) (b - a) / (awakeMinutes * MINUTE));
  }

  long capacity(long rangeStartMs, int days) {
    long sum = 0;
    for (int k = -1; k < days; k++) {
      sum += periodCap(rangeStartMs, days, k);
    }
    return sum;
  }
}
