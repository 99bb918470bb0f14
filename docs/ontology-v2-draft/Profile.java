import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
import java.io.File;
import java.util.*;
/** OWL 2 DL profile check (OWLAPI 3.4.3) of the merged files given as arguments. */
public class Profile {
  public static void main(String[] a) throws Exception {
    OWLOntologyManager m = OWLManager.createOWLOntologyManager();
    OWLOntology merged = m.createOntology(IRI.create("urn:merged"));
    for (String f : a) {
      OWLOntology o = m.loadOntologyFromOntologyDocument(new File(f));
      m.addAxioms(merged, o.getAxioms());
    }
    OWLProfileReport r = new OWL2DLProfile().checkOntology(merged);
    Map<String,Integer> kinds = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    for (OWLProfileViolation v : r.getViolations()) {
      kinds.merge(v.getClass().getSimpleName(), 1, Integer::sum);
      lines.add(v.toString().replace("\n"," "));
    }
    System.out.println("OWL 2 DL: " + (r.isInProfile() ? "yes" : "no") + ", violations " + r.getViolations().size() + " " + kinds);
    Collections.sort(lines);
    for (String l : lines) System.out.println("  " + l);
  }
}
