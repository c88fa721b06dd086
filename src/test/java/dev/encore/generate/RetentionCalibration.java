package dev.encore.generate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Calibrates the generator's retention model ({@link Retention}) against the real Spotify histories in
 * {@code ../shared/data} (read in place, never copied; no row is printed).
 *
 * <p>Run: {@code mvn -B -o -q test-compile} then
 * {@code java -cp target/test-classes:target/classes dev.encore.generate.RetentionCalibration}
 * from the repository root (or {@code RetentionCalibrationTest}, which also checks that the generator's
 * constants are the numbers printed here).
 *
 * <p>Method. Artist discoveries by the definitions of docs/rewards.md (qualifying play: ms_played ≥ 30 000;
 * discovery: a qualifying play of the artist on D and none on D−60 … D−1), kept only when they are
 * lookback-complete and mature within their user's own export (the user's first row ≤ D − 60 and last row ≥
 * D + 59; each export is its own observation window). Each gives a trace x ∈ {0,1}^59 and X = Σx.
 *
 * <p>Model fitted (the generator's): a discoverer of entity e adopts it with probability π_e; an adopter is
 * active with e on D + k with probability s(k), independently over k; a non-adopter never again. So
 * E[x_k] = π̄·s(k) and, for j ≠ k, E[x_j·x_k] = E[π²]/π̄ · π̄ s(j) π̄ s(k)/π̄ … pooled over artists the
 * moment equation is π_eff = (Σ_{j≠k} m_j m_k) / E[X(X−1)], with m_k the pooled mean trace; then
 * s(k) = m_k / π_eff, smoothed as s(k) = c·k^(−γ) by least squares.
 *
 * <p>Between-artist spread: for artists with at least {@link #MIN_DISCOVERIES} such discoveries, the observed
 * variance of their mean X is the true variance of E[X | artist] plus sampling noise; the noise is the mean of
 * each artist's within-artist variance / n (the method-of-moments random-effects estimator). Since
 * E[X | e] = π_e·S with S = Σ s(k), Var(π) = Var_true(E[X|e]) / S², and π ~ Beta(α, β) with the pooled mean
 * π_eff and that variance.
 */
final class RetentionCalibration {
  static final int MIN_DISCOVERIES = 20;
  static final int LOOKBACK = 60;
  static final int TRACE = 59;

  /** What the calibration found. */
  record Fit(
      int users,
      long discoveries,
      double meanStickiness,
      double[] meanTrace,
      double pi,
      double[] s,
      double c,
      double gamma,
      int artists,
      double observedVarMean,
      double noiseVarMean,
      double varPi,
      double alpha,
      double beta,
      double[] artistMeanQuartiles) {}

  private RetentionCalibration() {}

  public static void main(String[] args) throws IOException {
    Path file = args.length > 0 ? Path.of(args[0]) : Path.of("..", "shared", "data", "spotify-history-102-users.csv.gz");
    Fit fit = fit(file);
    System.out.print(describe(fit));
  }

  static String describe(Fit f) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "users with a mature, lookback-complete artist discovery: %d%n", f.users()));
    out.append(String.format(Locale.ROOT, "discoveries: %d, mean stickiness_60 %.4f%n", f.discoveries(), f.meanStickiness()));
    out.append(String.format(Locale.ROOT, "mean trace k=1,2,3,7,14,28,59: %.4f %.4f %.4f %.4f %.4f %.4f %.4f%n",
        f.meanTrace()[0], f.meanTrace()[1], f.meanTrace()[2], f.meanTrace()[6], f.meanTrace()[13],
        f.meanTrace()[27], f.meanTrace()[58]));
    out.append(String.format(Locale.ROOT, "pooled adoption probability pi = %.4f%n", f.pi()));
    out.append(String.format(Locale.ROOT, "s(k) = m_k/pi at k=1,2,3,7,14,28,59: %.4f %.4f %.4f %.4f %.4f %.4f %.4f%n",
        f.s()[0], f.s()[1], f.s()[2], f.s()[6], f.s()[13], f.s()[27], f.s()[58]));
    out.append(String.format(Locale.ROOT, "s(k) ~ c*k^-gamma: c=%.4f gamma=%.4f%n", f.c(), f.gamma()));
    out.append(String.format(Locale.ROOT, "artists with >= %d discoveries: %d; their mean X: quartiles %.3f %.3f %.3f%n",
        MIN_DISCOVERIES, f.artists(), f.artistMeanQuartiles()[0], f.artistMeanQuartiles()[1], f.artistMeanQuartiles()[2]));
    out.append(String.format(Locale.ROOT, "variance of artist mean X: observed %.4f, sampling noise %.4f, true %.4f%n",
        f.observedVarMean(), f.noiseVarMean(), f.observedVarMean() - f.noiseVarMean()));
    out.append(String.format(Locale.ROOT, "Var(pi_e) = %.5f, sd %.4f; Beta(alpha=%.3f, beta=%.3f)%n",
        f.varPi(), Math.sqrt(f.varPi()), f.alpha(), f.beta()));
    return out.toString();
  }

  static Fit fit(Path csvGz) throws IOException {
    // user -> artist -> sorted active days; user -> [first day, last day] over all rows.
    Map<String, Map<String, TreeSet<Long>>> active = new HashMap<>();
    Map<String, long[]> span = new HashMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(csvGz), 1 << 16), StandardCharsets.UTF_8))) {
      String header = in.readLine();
      if (!"user_id,end_time_utc,artist_id,track_id,ms_played".equals(header)) {
        throw new IllegalStateException("unexpected header in " + csvGz);
      }
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.split(",", -1);
        String user = f[0];
        long day = LocalDate.parse(f[1].substring(0, 10)).toEpochDay();
        long[] s = span.computeIfAbsent(user, u -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        s[0] = Math.min(s[0], day);
        s[1] = Math.max(s[1], day);
        if (Long.parseLong(f[4]) >= 30_000) {
          active.computeIfAbsent(user, u -> new HashMap<>()).computeIfAbsent(f[2], a -> new TreeSet<>()).add(day);
        }
      }
    }
    double[] sumX = new double[TRACE];
    long n = 0;
    double sumTotal = 0;
    double sumTotalSq = 0;
    Map<String, double[]> perArtist = new HashMap<>(); // n, sum X, sum X^2
    Set<String> users = new HashSet<>();
    for (var byUser : active.entrySet()) {
      long[] s = span.get(byUser.getKey());
      for (var byArtist : byUser.getValue().entrySet()) {
        TreeSet<Long> days = byArtist.getValue();
        Long previous = null;
        for (long d : days) {
          boolean discovery = previous == null || d - previous > LOOKBACK;
          previous = d;
          if (!discovery || d - LOOKBACK < s[0] || d + TRACE > s[1]) {
            continue;
          }
          int total = 0;
          for (long later : days.subSet(d + 1, true, d + TRACE, true)) {
            sumX[(int) (later - d - 1)]++;
            total++;
          }
          n++;
          sumTotal += total;
          sumTotalSq += (double) total * total;
          users.add(byUser.getKey());
          double[] a = perArtist.computeIfAbsent(byArtist.getKey(), k -> new double[3]);
          a[0]++;
          a[1] += total;
          a[2] += (double) total * total;
        }
      }
    }
    double[] m = new double[TRACE];
    double sumM = 0;
    double sumM2 = 0;
    for (int k = 0; k < TRACE; k++) {
      m[k] = sumX[k] / n;
      sumM += m[k];
      sumM2 += m[k] * m[k];
    }
    double ex = sumTotal / n;
    double ex2 = sumTotalSq / n;
    double pi = (sumM * sumM - sumM2) / (ex2 - ex);
    double[] sk = new double[TRACE];
    for (int k = 0; k < TRACE; k++) {
      sk[k] = m[k] / pi;
    }
    double[] curve = fitCurve(sk);

    List<Double> means = new ArrayList<>();
    double noise = 0;
    for (double[] a : perArtist.values()) {
      if (a[0] < MIN_DISCOVERIES) {
        continue;
      }
      double mean = a[1] / a[0];
      double within = (a[2] - a[0] * mean * mean) / (a[0] - 1);
      means.add(mean);
      noise += within / a[0];
    }
    int artists = means.size();
    noise /= artists;
    double grand = means.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double observed = means.stream().mapToDouble(x -> (x - grand) * (x - grand)).sum() / (artists - 1);
    double bigS = 0;
    for (int k = 1; k <= TRACE; k++) {
      bigS += Retention.curve(curve[0], curve[1], k);
    }
    double varPi = (observed - noise) / (bigS * bigS);
    double common = pi * (1 - pi) / varPi - 1;
    double[] sorted = means.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double[] quartiles = {sorted[artists / 4], sorted[artists / 2], sorted[3 * artists / 4]};
    return new Fit(users.size(), n, 1 + ex, m, pi, sk, curve[0], curve[1], artists, observed, noise,
        varPi, pi * common, (1 - pi) * common, quartiles);
  }

  /** Least squares of c·k^(−γ) (a power law, as return curves are): a grid over γ, c in closed form. {c, γ}. */
  static double[] fitCurve(double[] s) {
    double[] best = null;
    double bestError = Double.MAX_VALUE;
    for (int j = 1; j <= 20_000; j++) {
      double gamma = j * 0.0001;
      double sff = 0;
      double sfy = 0;
      for (int k = 1; k <= s.length; k++) {
        double f = Math.pow(k, -gamma);
        sff += f * f;
        sfy += f * s[k - 1];
      }
      double c = sfy / sff;
      double error = 0;
      for (int k = 1; k <= s.length; k++) {
        double r = s[k - 1] - c * Math.pow(k, -gamma);
        error += r * r;
      }
      if (error < bestError) {
        bestError = error;
        best = new double[] {c, gamma};
      }
    }
    return best;
  }
}
