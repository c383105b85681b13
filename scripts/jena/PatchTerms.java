import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.jena.graph.Node;
import org.apache.jena.graph.Triple;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.atlas.io.StringWriterI;
import org.apache.jena.riot.out.NodeFormatter;
import org.apache.jena.riot.out.NodeFormatterNT;
import org.apache.jena.riot.system.StreamRDFBase;
import org.apache.jena.sparql.core.Quad;

/**
 * RDF Patch rows' terms read and written by Apache Jena (RIOT), for
 * tests/history/test_rdf_patch_jena.py (built by scripts/setup-jena).
 *
 * Debian's Jena 4.5 has no RDF Patch module (jena-rdfpatch), so this checks
 * what it can: an A or D row's terms are an N-Quads statement, which RIOT
 * reads and its N-Triples node formatter (NodeFormatterNT) writes.
 *   read FILE...   each FILE is an RDF Patch; FILE.jena.nq gets one line per
 *                  A/D row, in order: its code, a space, the quad as Jena
 *                  read it (in Jena's N-Quads form). Other rows are skipped.
 *   write FILE...  each FILE is N-Quads; FILE.jena.rdfp gets an RDF Patch
 *                  (TX, one A row per quad in Jena's term syntax, TC).
 */
public class PatchTerms {
    public static void main(String[] args) throws Exception {
        boolean read = args[0].equals("read");
        for (int i = 1; i < args.length; i++) {
            Path in = Path.of(args[i]);
            List<String> out = new ArrayList<>();
            if (read) {
                for (String line : Files.readAllLines(in, StandardCharsets.UTF_8)) {
                    String row = line.strip();
                    if (row.startsWith("A ") || row.startsWith("D ")) {
                        for (Quad q : quads(row.substring(2))) {
                            out.add(row.substring(0, 1) + " " + format(q));
                        }
                    }
                }
                Files.write(Path.of(args[i] + ".jena.nq"), out, StandardCharsets.UTF_8);
            } else {
                out.add("TX .");
                for (Quad q : quads(Files.readString(in, StandardCharsets.UTF_8))) {
                    out.add("A " + format(q));
                }
                out.add("TC .");
                Files.write(Path.of(args[i] + ".jena.rdfp"), out, StandardCharsets.UTF_8);
            }
        }
    }

    private static List<Quad> quads(String nquads) {
        List<Quad> found = new ArrayList<>();
        RDFParser.fromString(nquads).lang(Lang.NQUADS).parse(new StreamRDFBase() {
            @Override
            public void quad(Quad q) {
                found.add(q);
            }

            @Override
            public void triple(Triple t) {
                found.add(Quad.create(Quad.defaultGraphNodeGenerated, t));
            }
        });
        return found;
    }

    private static final NodeFormatter NT = new NodeFormatterNT();

    private static String format(Quad q) {
        StringWriterI w = new StringWriterI();
        for (Node n : new Node[] {q.getSubject(), q.getPredicate(), q.getObject()}) {
            NT.format(w, n);
            w.write(" ");
        }
        if (!q.isDefaultGraph()) {
            NT.format(w, q.getGraph());
            w.write(" ");
        }
        w.write(".");
        return w.toString();
    }
}
