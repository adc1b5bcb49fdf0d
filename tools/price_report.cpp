#include "tools/price_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

namespace backstop {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// An amount as money: "£1,234,567.89", "-£12.30".
std::string pounds(double value) {
  std::ostringstream digits;
  digits.imbue(std::locale::classic());
  digits << std::fixed;
  digits.precision(2);
  digits << std::fabs(value);
  std::string text = digits.str();
  for (auto at = static_cast<std::ptrdiff_t>(text.find('.')) - 3; at > 0; at -= 3) {
    text.insert(static_cast<std::size_t>(at), ",");
  }
  return (value < 0 && text != "0.00" ? "-£" : "£") + text;
}

using FileIn = std::function<std::string(const char*)>;

// The plots' data: sorted outgo, its exceedance curve, contribution per head, reserve paths
// and Crump et al.'s observations.
void write_plot_data(const PricingReport& r, const std::vector<double>& outgo, const FileIn& file) {
  std::ofstream histogram(file("outgo.dat"));
  for (double x : outgo) histogram << x / 1e6 << "\n";
  std::ofstream exceedance(file("exceedance.dat"));
  for (std::size_t i = 0; i < outgo.size(); i += std::max<std::size_t>(1, outgo.size() / 2000)) {
    exceedance << outgo[i] / 1e6 << " "
               << 1.0 - static_cast<double>(i) / static_cast<double>(outgo.size()) << "\n";
  }
  std::ofstream per_head(file("per_head.dat"));
  for (std::size_t i = 0; i < r.members.size(); ++i) {
    per_head << r.members[i].population << " "
             << std::atof(r.contributions[i].c_str()) / r.members[i].population << "\n";
  }
  std::ofstream reserve(file("reserve.dat"));
  reserve << 0 << " " << r.model.opening_reserve / 1e6 << " " << r.model.opening_reserve / 1e6
          << "\n";
  for (std::size_t y = 0; y < r.solvency.reserve_mean.size(); ++y) {
    reserve << y + 1 << " " << r.solvency.reserve_mean[y] / 1e6 << " "
            << r.solvency.reserve_percentile_5[y] / 1e6 << "\n";
  }
  std::ofstream crump(file("crump.dat"));
  crump << "9000 0.075\n24000 0.050\n179400 0.018\n";
}

// The gnuplot script that draws the five SVG plots from the data.
void write_plot_script(const PricingReport& r, const std::vector<double>& outgo,
                       const FileIn& file) {
  std::ofstream script(file("plots.gp"));
  script << "set terminal svg size 640,360 font 'sans,11'\nset grid\nset key top right\n"
         << "set output '" << file("outgo.svg")
         << "'\nset title 'Fund annual outgo (simulated)'\nset xlabel '£ million'\nset ylabel "
            "'simulations'\n"
         << "binwidth = " << std::max(0.1, (outgo.back() - outgo.front()) / 1e6 / 60)
         << "\nbin(x) = binwidth * floor(x / binwidth)\n"
         << "plot '" << file("outgo.dat")
         << "' using (bin($1)):(1.0) smooth freq with boxes fill solid 0.5 title 'outgo'\n"
         << "set output '" << file("exceedance.svg")
         << "'\nset title 'Exceedance: P(outgo > x)'\nset logscale y\nset ylabel 'probability'\n"
         // VaR as a vertical line at its amount (x), spanning the plot's height.
         << "set arrow 1 from " << r.measures.value_at_risk / 1e6 << ", graph 0 to "
         << r.measures.value_at_risk / 1e6 << ", graph 1 nohead lw 2 dt 2\n"
         << "set label 1 'VaR " << r.model.reserve_level * 100 << "%' at "
         << r.measures.value_at_risk / 1e6 << ", graph 0.95 right offset -0.5,0\n"
         << "plot '" << file("exceedance.dat") << "' using 1:2 with lines lw 2 title 'P(S > x)'\n"
         << "unset arrow 1\nunset label 1\nunset logscale y\n"
         << "set output '" << file("per_head.svg")
         << "'\nset title 'Contribution per head against population'\nset logscale x\n"
         << "set xlabel 'population'\nset ylabel '£ per head'\nplot '" << file("per_head.dat")
         << "' using 1:2 with points pt 7 title 'member'\n"
         << "set output '" << file("crump.svg")
         << "'\nset title 'Spend volatility: Crump et al. and the fitted curve'\nset ylabel "
            "'coefficient of variation'\n"
         << "plot [5000:700000] " << r.model.cv_constant
         << " / sqrt(x) with lines lw 2 title 'fitted c / sqrt(n)', '" << file("crump.dat")
         << "' using 1:2 with points pt 7 ps 1.5 title 'Crump et al. (1991)'\nunset logscale x\n"
         << "set output '" << file("reserve.svg")
         << "'\nset title 'Reserve paths'\nset xlabel 'year'\nset ylabel '£ million'\n"
         << "set xtics 1\nset format x '%.0f'\n"  // whole years
         << "plot '" << file("reserve.dat")
         << "' using 1:2 with linespoints lw 2 title 'mean', '' using 1:3 with linespoints lw 2 "
            "title '5th percentile'\n";
}

// The page's head, the fund's figures and the plots, up to the contributions table's rows.
void write_html_figures(std::ostream& html, const PricingReport& r, const FileIn& file) {
  double total = 0;
  for (const auto& c : r.contributions) total += std::atof(c.c_str());
  html << "<!doctype html><html><head><meta charset='utf-8'><title>Backstop rate schedule</title>"
       << "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}td,th{padding:2px "
          "8px;text-align:right}"
       << "th{background:#eee}td:first-child,th:first-child{text-align:left}</style></head><body>"
       << "<h1>Rate schedule: " << r.members.size() << " members</h1>"
       << "<p>" << r.model.simulations << " simulated years of every member jointly (seed "
       << r.model.seed << "), method in docs/actuarial-method.md.</p><h2>The fund</h2><table>"
       << "<tr><td>expected annual outgo E[S]</td><td>" << pounds(r.measures.expected_outgo)
       << "</td></tr>"
       << "<tr><td>VaR " << r.model.reserve_level * 100 << "%</td><td>"
       << pounds(r.measures.value_at_risk) << "</td></tr>"
       << "<tr><td>TVaR " << r.model.tail_level * 100
       << "% (mean outgo in the worst years)</td><td>" << pounds(r.measures.tail_value_at_risk)
       << "</td></tr>"
       << "<tr><td>reserve target = VaR - E[S]</td><td>" << pounds(r.measures.reserve_target)
       << "</td></tr>"
       << "<tr><td>requirement (sum of contributions)</td><td>" << pounds(total) << "</td></tr>"
       << "<tr><td>probability the reserve is exhausted within " << r.model.years
       << " years</td><td>" << r.solvency.ruin_probability << "</td></tr></table>"
       << read_file(file("outgo.svg")) << read_file(file("exceedance.svg"))
       << read_file(file("reserve.svg"))
       << "<h2>Contributions</h2><p>Each is the expected cost, the expense loading, a share of the "
          "fund's capital cost "
       << "allocated by contribution to TVaR, a credibility-weighted experience adjustment, a "
          "share of the reserve rebuild or "
       << "release, and the special measures loading where it applies.</p>"
       << read_file(file("per_head.svg")) << read_file(file("crump.svg"))
       << "<table><tr><th>member</th><th>population</th><th>contribution</th><th>expected cost</th>"
       << "<th>expenses</th><th>risk</th><th>experience</th><th>reserve</th><th>special "
          "measures</th><th>floor</th><th>to the penny</th></tr>";
}

// The contributions table's rows, one a member, and its end.
void write_html_contributions(std::ostream& html, const PricingReport& r) {
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const auto& l = r.lines[i];
    // Every component, so that each row adds up to its contribution: the floor lifts a
    // negative sum to zero, and the last column is the exact split's rounding to pence.
    const double charged = std::atof(r.contributions[i].c_str());
    html << "<tr><td>" << l.id << "</td><td>" << static_cast<long>(r.members[i].population)
         << "</td><td>" << pounds(charged) << "</td><td>" << pounds(l.expected_cost) << "</td><td>"
         << pounds(l.expense_loading) << "</td><td>" << pounds(l.risk_loading) << "</td><td>"
         << pounds(l.experience_adjustment) << "</td><td>" << pounds(l.reserve_adjustment)
         << "</td><td>" << pounds(l.special_measures_loading) << "</td><td>"
         << pounds(l.minimum_adjustment) << "</td><td>" << pounds(charged - l.contribution)
         << "</td></tr>";
  }
  html << "</table>";
}

}  // namespace

Status write_pricing_report(const PricingReport& r, const std::string& html_file) {
  namespace fs = std::filesystem;
  std::random_device seed;
  const fs::path work = fs::temp_directory_path() /
                        ("backstop-report-" + std::to_string(seed()) + std::to_string(seed()));
  fs::create_directories(work);
  const FileIn file = [&](const char* name) { return (work / name).string(); };

  std::vector<double> outgo = r.simulated.fund_outgo;
  std::sort(outgo.begin(), outgo.end());
  write_plot_data(r, outgo, file);
  write_plot_script(r, outgo, file);
  if (std::system(("gnuplot '" + file("plots.gp") + "' 2>'" + file("gnuplot.log") + "'").c_str()) !=
      0) {
    const std::string log = read_file(file("gnuplot.log"));
    fs::remove_all(work);
    return Status::error(ErrorCode::io_error, "gnuplot failed: " + log);
  }

  std::ofstream html(html_file);
  write_html_figures(html, r, file);
  write_html_contributions(html, r);
  html << "</body></html>\n";
  html.close();
  fs::remove_all(work);
  if (!html) return Status::error(ErrorCode::io_error, "cannot write '" + html_file + "'");
  return Status::ok();
}

}  // namespace backstop
