package ai.cortensor.portal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * The dependency rules of DESIGN §4, checked on the compiled classes. A failure names the arrow to remove: the
 * class that depends and the class it must not depend on.
 */
class ArchitectureTest {
    private static final String ROOT = "ai.cortensor.portal";
    /** Features that hold the product's state and rules; they know nothing of HTTP. */
    private static final String[] DOMAIN = {ROOT + ".accounts..", ROOT + ".audit..", ROOT + ".billing..",
            ROOT + ".changes..", ROOT + ".families..", ROOT + ".keys..", ROOT + ".notifications..", ROOT + ".plans..",
            ROOT + ".pools..", ROOT + ".usage.."};
    /** Everything that is a feature or an audience; shared plumbing ({@code web}) may depend on none of them. */
    private static final String[] FEATURES = {ROOT + ".accounts..", ROOT + ".admin..", ROOT + ".audit..", ROOT + ".billing..",
            ROOT + ".changes..", ROOT + ".dialects..", ROOT + ".families..", ROOT + ".gateway..", ROOT + ".keys..",
            ROOT + ".notifications..",
            ROOT + ".plans..", ROOT + ".pools..", ROOT + ".portal..", ROOT + ".sessions..", ROOT + ".usage.."};

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void web_plumbing_imports_no_feature_and_not_the_composition_root() {
        noClasses().that().resideInAPackage(ROOT + ".web..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .orShould().dependOnClassesThat().resideInAPackage(ROOT)
                .check(MAIN);
    }

    @Test
    void domain_features_know_nothing_of_http_pages_or_the_audiences() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".web..", ROOT + ".portal..",
                        ROOT + ".admin..", ROOT + ".gateway..", ROOT + ".dialects..", ROOT + ".sessions..")
                .orShould().dependOnClassesThat().resideInAPackage(ROOT)
                .check(MAIN);
    }

    @Test
    void the_operator_service_knows_nothing_of_its_api_console_or_cli() {
        noClasses().that().resideInAPackage(ROOT + ".admin")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".admin.api..", ROOT + ".admin.console..",
                        ROOT + ".admin.cli..")
                .check(MAIN);
        noClasses().that().resideInAPackage(ROOT + ".admin.console..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".admin.api..", ROOT + ".admin.cli..")
                .check(MAIN);
        noClasses().that().resideInAPackage(ROOT + ".admin.api..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".admin.console..", ROOT + ".admin.cli..")
                .check(MAIN);
    }

    @Test
    void a_feature_calls_only_its_own_stores_and_only_the_composition_root_builds_the_others() {
        classes().that().resideOutsideOfPackage(ROOT)
                .should(new ArchCondition<>("call only the *Store classes of their own feature") {
                    @Override
                    public void check(JavaClass caller, ConditionEvents events) {
                        for (JavaAccess<?> access : caller.getAccessesFromSelf()) {
                            JavaClass target = access.getTargetOwner();
                            if (target.getSimpleName().endsWith("Store")
                                    && !feature(target).equals(feature(caller))) {
                                events.add(SimpleConditionEvent.violated(access, access.getDescription()
                                        + ": call " + feature(target) + "'s service instead of its store"));
                            }
                        }
                    }
                })
                .check(MAIN);
    }

    @Test
    void features_do_not_depend_on_each_other_in_a_cycle() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(MAIN);
    }

    /** The top-level feature a class belongs to: {@code admin} for {@code admin.console.ConsoleGate}. */
    private static String feature(JavaClass c) {
        String pkg = c.getPackageName();
        if (!pkg.startsWith(ROOT + ".")) {
            return pkg;
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
