package dev.encore.report;

import dev.encore.predictions.StickinessModel;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's charts, built with JFreeChart in one readable style (large fonts, white background). */
final class ReportCharts {
  static final int WIDTH = 900;
  static final int HEIGHT = 500;

  private static final Paint[] PALETTE = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
      new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
  private static final StandardChartTheme THEME = theme();

  private ReportCharts() {}

  private static StandardChartTheme theme() {
    StandardChartTheme t = new StandardChartTheme("encore");
    t.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
    t.setLargeFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
    t.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    t.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    t.setChartBackgroundPaint(Color.WHITE);
    t.setPlotBackgroundPaint(Color.WHITE);
    t.setDomainGridlinePaint(new Color(0xdddddd));
    t.setRangeGridlinePaint(new Color(0xdddddd));
    t.setBarPainter(new StandardBarPainter());
    t.setShadowVisible(false);
    t.setAxisOffset(RectangleInsets.ZERO_INSETS);
    return t;
  }

  /** One cohort's curve: share of its users active on D+k, split into mature and immature points. */
  record Curve(String label, Map<Integer, Double> mature, Map<Integer, Double> immature) {}

  /** Chart 1: retention curves, one colour per anchor cohort; immature points hollow, on a dashed line. */
  static JFreeChart retention(List<Curve> curves, int lateness) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Curve c : curves) {
      XYSeries mature = new XYSeries(c.label(), true, false);
      c.mature().forEach((k, share) -> mature.add(k.intValue(), 100.0 * share));
      XYSeries immature = new XYSeries(c.label() + ", immature", true, false);
      c.immature().forEach((k, share) -> immature.add(k.intValue(), 100.0 * share));
      data.addSeries(mature);
      data.addSeries(immature);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(
        "Retention: share of anchor-day users active on day D+k",
        "days after the anchor day, k (days)", "users active on D+k (% of cohort)",
        data, PlotOrientation.VERTICAL, true, false, false);
    THEME.apply(chart);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < curves.size(); i++) {
      Paint p = PALETTE[i % PALETTE.length];
      r.setSeriesPaint(2 * i, p);
      r.setSeriesPaint(2 * i + 1, p);
      r.setSeriesShape(2 * i, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
      r.setSeriesShape(2 * i + 1, new Rectangle2D.Double(-4.5, -4.5, 9, 9));
      r.setSeriesShapesFilled(2 * i, true);
      r.setSeriesShapesFilled(2 * i + 1, true);
      r.setSeriesFillPaint(2 * i, p);
      r.setSeriesFillPaint(2 * i + 1, Color.WHITE);
      // The subtitle explains the immature style; one legend entry per cohort keeps the legend readable.
      r.setSeriesVisibleInLegend(2 * i + 1, false);
      r.setSeriesStroke(2 * i, new BasicStroke(2f));
      r.setSeriesStroke(2 * i + 1, new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }
    r.setUseFillPaint(true);
    r.setUseOutlinePaint(false);
    r.setDrawOutlines(true);
    plot.setRenderer(r);
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setRange(0.5, 60.5);
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = (NumberAxis) plot.getRangeAxis();
    y.setRange(0, 100);
    plot.setNoDataMessage("No anchor cohort with an observed day after it");
    chart.addSubtitle(new org.jfree.chart.title.TextTitle(
        "hollow squares, dashed: immature (day within " + lateness + " days of as_of, late plays may still arrive)",
        new Font(Font.SANS_SERIF, Font.ITALIC, 13)));
    return chart;
  }

  /**
   * A level's backtest: the mean absolute error of the predicted mean stickiness against the days observed, one
   * line for the model and one per baseline (the scaled count has no point at k = 0).
   */
  static JFreeChart backtest(String title, int stickinessDays, List<StickinessModel.BacktestRow> rows) {
    XYSeries model = new XYSeries("model (posterior mean)", true, false);
    XYSeries priorMean = new XYSeries("baseline: prior mean", true, false);
    XYSeries scaled = new XYSeries("baseline: partial count scaled to " + (stickinessDays - 1) + " days", true, false);
    int maxK = 0;
    for (StickinessModel.BacktestRow b : rows) {
      model.add(b.daysObserved(), b.mae());
      priorMean.add(b.daysObserved(), b.maePriorMean());
      if (b.maeScaledCount() != null) {
        scaled.add(b.daysObserved(), b.maeScaledCount().doubleValue());
      }
      maxK = Math.max(maxK, b.daysObserved());
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(model);
    data.addSeries(priorMean);
    data.addSeries(scaled);
    JFreeChart chart = ChartFactory.createXYLineChart(title, "days observed, k (final days of each trace used)",
        "mean absolute error of mean stickiness_" + stickinessDays, data, PlotOrientation.VERTICAL, true, false, false);
    THEME.apply(chart);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < 3; i++) {
      r.setSeriesPaint(i, PALETTE[i]);
      r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
      // The model solid, the baselines dashed: the line to compare against the others stands out.
      r.setSeriesStroke(i, i == 0 ? new BasicStroke(3f) : new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }
    plot.setRenderer(r);
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setRange(-0.5, maxK + 0.5);
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = (NumberAxis) plot.getRangeAxis();
    y.setAutoRangeIncludesZero(true);
    plot.setNoDataMessage("No backtest");
    return chart;
  }

  /** A vertical bar chart over categories; {@code rows} may hold several series (rows of the dataset). */
  static JFreeChart bars(String title, String xLabel, String yLabel, DefaultCategoryDataset data,
      boolean legend, boolean itemLabels, boolean horizontal, String yFormat) {
    JFreeChart chart = ChartFactory.createBarChart(title, xLabel, yLabel, data,
        horizontal ? PlotOrientation.HORIZONTAL : PlotOrientation.VERTICAL, legend, false, false);
    THEME.apply(chart);
    CategoryPlot plot = chart.getCategoryPlot();
    BarRenderer r = (BarRenderer) plot.getRenderer();
    for (int i = 0; i < data.getRowCount(); i++) {
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    r.setItemMargin(0.05);
    r.setDrawBarOutline(false);
    if (itemLabels) {
      r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat(yFormat)));
      r.setDefaultItemLabelsVisible(true);
      r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      plot.getRangeAxis().setUpperMargin(0.12);
    }
    CategoryAxis x = plot.getDomainAxis();
    x.setCategoryMargin(0.15);
    x.setMaximumCategoryLabelLines(2);
    NumberAxis y = (NumberAxis) plot.getRangeAxis();
    if (!yFormat.contains(".") && !yFormat.equals("0")) {
      y.setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // counts
    }
    y.setNumberFormatOverride(new DecimalFormat(yFormat));
    plot.setNoDataMessage("No rows");
    return chart;
  }
}
