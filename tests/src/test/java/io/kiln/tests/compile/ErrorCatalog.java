package io.kiln.tests.compile;

import java.util.ArrayList;
import java.util.List;

/**
 * The worked examples of {@code docs/errors.md}, read the way its introduction describes them: under
 * each {@code ## Kiln/Id}, every {@code ### } section holds a {@code ```java} declaration with the
 * mistake, a plain {@code ```} block with every diagnostic javac prints for it, then (after the
 * {@code **Fix:**} paragraph) a {@code ```java} block with the fix applied and, only when that fix
 * moves on to a different, later diagnostic, a plain block with what it prints.
 */
final class ErrorCatalog {
  private ErrorCatalog() {}

  /** One {@code ### } section: {@code fixedPrints} is empty when the fixed declaration must compile cleanly. */
  record Example(String id, String title, String bad, List<String> badPrints, String fixed, List<String> fixedPrints) {
    String where() {
      return id + " / " + title;
    }
  }

  /** A fenced block: its info string ({@code java} or empty), its text, and whether a {@code **Fix:**} paragraph precedes it. */
  private record Block(String info, String text, boolean afterFix) {}

  /** The parsed examples; a section whose blocks are not in the documented order is added to {@code problems}. */
  static List<Example> parse(String markdown, List<String> problems) {
    List<Example> examples = new ArrayList<>();
    String id = null;
    String title = null;
    List<Block> blocks = new ArrayList<>();
    boolean fixSeen = false;
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i <= lines.length; i++) {
      String line = i < lines.length ? lines[i] : "## end";
      if (line.startsWith("```")) {
        String info = line.substring(3).strip();
        StringBuilder text = new StringBuilder();
        for (i++; i < lines.length && !lines[i].equals("```"); i++) {
          text.append(lines[i]).append('\n');
        }
        blocks.add(new Block(info, text.toString(), fixSeen));
      } else if (line.startsWith("**Fix:**")) {
        fixSeen = true;
      } else if (line.startsWith("## ") || line.startsWith("### ")) {
        if (title != null) {
          toExample(id, title, blocks, problems, examples);
        }
        blocks = new ArrayList<>();
        fixSeen = false;
        if (line.startsWith("### ")) {
          title = line.substring(4).strip();
        } else {
          title = null;
          id = line.substring(3).strip();
        }
      }
    }
    return examples;
  }

  private static void toExample(String id, String title, List<Block> blocks, List<String> problems, List<Example> examples) {
    String shape = String.join(" ", blocks.stream().map(b -> b.info().isEmpty() ? "plain" : b.info()).toList());
    boolean blocksInOrder = shape.equals("java plain java") || shape.equals("java plain java plain");
    boolean fixBetween = blocksInOrder && !blocks.get(1).afterFix() && blocks.get(2).afterFix();
    if (id == null || !id.startsWith("Kiln/") || !fixBetween) {
      problems.add(id + " / " + title + ": expected a 'java' and a plain block (the mistake, its diagnostics), a **Fix:**"
          + " paragraph, then a 'java' block and maybe a plain one (the fix, the later diagnostic it moves to) but found '"
          + shape + "'" + (blocksInOrder ? " with no **Fix:** paragraph between them" : ""));
      return;
    }
    examples.add(new Example(id, title, blocks.get(0).text(), printed(blocks.get(1)), blocks.get(2).text(),
        blocks.size() > 3 ? printed(blocks.get(3)) : List.of()));
  }

  private static List<String> printed(Block block) {
    return block.text().lines().filter(l -> !l.isBlank()).toList();
  }
}
