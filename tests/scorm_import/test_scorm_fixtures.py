"""Real SCORM packages from shared/fixtures (see SOURCES.md): exact values each must yield."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from scorm_import import ManifestError, ManifestNotFoundError, load_package, open_archive

GOLF_12 = "com.scorm.golfsamples"
FORCED = "com.scorm.golfsamples.sequencing.forcedsequential."
REMEDIATION = "com.scorm.golfsamples.sequencing.simpleremediation.20043rd."


@pytest.mark.parametrize(
    ("relative", "version", "title", "items", "scos", "launchables", "resources"),
    [
        ("scorm12/RuntimeMinimumCalls_SCORM12.zip", "1.2",
         "Golf Explained - Minimum Run-time Calls", 22, 18, 18, 19),
        ("scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip", "1.2",
         "Golf Explained - CP One File Per SCO", 22, 0, 18, 19),
        ("scorm12/RuntimeBasicCalls_SCORM12.zip", "1.2",
         "Golf Explained - Run-time Basic Calls", 1, 1, 1, 1),
        ("scorm12/PrerequisitesTest_SCORM12.zip", "1.2", "Prerequisites Test Course", 4, 4, 4, 4),
        ("scorm12/ContentPackagingWithMetadata_SCORM12.zip", "1.2", "SCORM 1.2 With Metadata",
         1, 1, 1, 1),
        ("scorm2004/ContentPackagingSingleSCO_SCORM20042ndEdition.zip", "2004-2nd",
         "Golf Explained - CP Single SCO", 1, 1, 1, 1),
        ("scorm2004/RunTimeAdvancedCalls_SCORM20043rdEdition.zip", "2004-3rd",
         "Golf Explained - Run-time Advanced Calls", 1, 1, 1, 1),
        ("scorm2004/RuntimeMinimumCalls_SCORM20043rdEdition.zip", "2004-3rd",
         "Golf Explained - Minimum Run-time Calls", 22, 18, 18, 19),
        ("scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip", "2004-3rd",
         "Golf Explained - Sequencing Forced Order", 5, 5, 5, 6),
        ("scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip", "2004-4th",
         "Golf Explained - 4th Edition Features", 5, 5, 5, 6),
        ("scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip", "2004-3rd",
         "Golf Explained - Simple Remediation", 9, 8, 8, 6),
    ],
)  # fmt: skip
def test_each_real_package_yields_its_version_title_and_counts(
    fixture_zip, relative, version, title, items, scos, launchables, resources
):
    package = load_package(fixture_zip(relative))
    assert package.version == version
    assert package.title == title
    assert len(package.items()) == items
    assert len(package.scos()) == scos
    assert len(package.launchables()) == launchables
    assert len(package.resources) == resources
    assert package.warnings == ()


def test_multi_sco_12_package_keeps_the_nested_tree_and_quiz_parameters(fixture_zip):
    package = load_package(fixture_zip("scorm12/RuntimeMinimumCalls_SCORM12.zip"))
    assert package.identifier == f"{GOLF_12}.runtime.minimumcalls.12"
    org = package.organization
    assert org is not None
    assert [i.title for i in org.items] == [
        "Playing the Game", "Etiquette", "Handicapping", "Having Fun"
    ]  # fmt: skip
    assert [len(i.children) for i in org.items] == [6, 4, 5, 3]
    assert all(i.resource_id is None for i in org.items)
    urls = [s.url for s in package.scos()]
    assert urls[:2] == ["Playing/Playing.html", "Playing/Par.html"]
    assert urls[5] == "shared/assessmenttemplate.html?questions=Playing"
    assert urls[-1] == "shared/assessmenttemplate.html?questions=HavingFun"
    assert package.resources["common_files"].scorm_type == "asset"
    assert len(package.resources["common_files"].files) == 7
    assert package.resources["playing_playing_resource"].dependencies == ("common_files",)


def test_all_asset_package_has_launchable_assets_but_no_sco(fixture_zip):
    package = load_package(fixture_zip("scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip"))
    assert package.scos() == []
    assert {t.resource.scorm_type for t in package.launchables()} == {"asset"}
    assert package.launchables()[0].url == "Playing/Playing.html"
    assert package.sco_resources == []


def test_single_sco_12_lists_every_file_of_its_resource(fixture_zip):
    package = load_package(fixture_zip("scorm12/RuntimeBasicCalls_SCORM12.zip"))
    (sco,) = package.scos()
    assert (sco.identifier, sco.title, sco.url) == (
        "item_1",
        "Golf Explained",
        "shared/launchpage.html",
    )
    assert len(sco.resource.files) == 39


def test_prerequisites_mastery_time_limits_and_lms_data_are_read(fixture_zip):
    package = load_package(fixture_zip("scorm12/PrerequisitesTest_SCORM12.zip"))
    m1, m2, m3, m4 = package.items()
    assert [s.url for s in package.scos()] == [f"module{n}.html" for n in range(1, 5)]
    assert (m1.mastery_score, m1.mastery_scaled) == (Decimal(80), Decimal("0.8"))
    assert m1.max_time_allowed == timedelta(hours=2, minutes=30)
    assert m1.prerequisites is None
    assert (m2.prerequisites, m2.data_from_lms) == ("module1", "custom_data_for_module2")
    assert m2.mastery_score is None
    assert (m3.prerequisites, m3.time_limit_action) == ("module1 AND module2", "exit,message")
    assert m3.max_time_allowed is None
    assert (m4.prerequisites, m4.mastery_score) == ("(module1 AND module2) OR module3", Decimal(90))


def test_external_metadata_file_is_read_through_the_archive(fixture_zip):
    package = load_package(fixture_zip("scorm12/ContentPackagingWithMetadata_SCORM12.zip"))
    assert package.metadata is not None
    assert package.metadata.location == "metadata.xml"
    assert package.metadata.keywords == ("Training",)
    assert package.metadata.language == "en"
    assert package.metadata_title is None  # the file's title langstring is empty
    (sco,) = package.scos()
    assert (sco.url, sco.item.data_from_lms, sco.item.is_visible) == ("index.html", "RANDOM", True)


def test_malformed_manifest_is_refused_with_its_line(fixture_zip):
    with pytest.raises(ManifestError) as caught:
        load_package(fixture_zip("scorm12/MalformedXml_SCORM12.zip"))
    assert caught.value.message.startswith(
        "Gói SCORM không hợp lệ: imsmanifest.xml lỗi cú pháp ở dòng 27"
    )


def test_manifest_only_in_a_subfolder_is_refused_with_a_clear_message(fixture_zip):
    path = fixture_zip("scorm12/invalid_badscorm_manifest_in_subdir.zip")
    with pytest.raises(ManifestNotFoundError) as caught:
        load_package(path)
    assert caught.value.message.startswith(
        "Không tìm thấy imsmanifest.xml ở thư mục gốc của gói; tệp này đang nằm trong thư mục "
        "con 'badscorm/'."
    )
    # Even when a top folder is allowed, this "manifest" is only an XML declaration.
    with pytest.raises(ManifestError, match="lỗi cú pháp"):
        load_package(path, allow_root_folder=True)


def test_zip_with_only_an_html_file_is_refused(fixture_zip):
    with pytest.raises(ManifestNotFoundError, match="Đây có thể không phải gói SCORM"):
        load_package(fixture_zip("scorm12/invalid_no_manifest.zip"))


def test_2004_2nd_edition_is_detected_from_cam_13(fixture_zip):
    package = load_package(
        fixture_zip("scorm2004/ContentPackagingSingleSCO_SCORM20042ndEdition.zip")
    )
    assert (package.version, package.schemaversion) == ("2004-2nd", "CAM 1.3")
    assert package.scos()[0].url == "shared/launchpage.html"
    assert package.scos()[0].item.sequencing is None


def test_2004_mastery_comes_from_the_primary_objective_min_normalized_measure(fixture_zip):
    package = load_package(fixture_zip("scorm2004/RunTimeAdvancedCalls_SCORM20043rdEdition.zip"))
    (sco,) = package.scos()
    assert (sco.item.mastery_score, sco.item.mastery_scaled) == (Decimal("0.8"), Decimal("0.8"))
    seq = sco.item.sequencing
    assert seq is not None
    assert [o.objective_id for o in seq.objectives] == [
        "PRIMARYOBJ", "obj_etiquette", "obj_handicapping", "obj_havingfun", "obj_playing"
    ]  # fmt: skip
    assert seq.primary_objective is not None and seq.primary_objective.satisfied_by_measure
    assert seq.has_delivery_controls and not seq.has_rollup_rules
    org = package.organization
    assert org is not None and org.sequencing is not None
    assert (org.sequencing.choice, org.sequencing.flow) == (True, True)
    assert org.objectives_global_to_system is False


def test_2004_package_without_sequencing_has_no_sequencing_summaries(fixture_zip):
    package = load_package(fixture_zip("scorm2004/RuntimeMinimumCalls_SCORM20043rdEdition.zip"))
    assert all(item.sequencing is None for item in package.items())
    assert package.organization is not None and package.organization.sequencing is None
    assert package.scos()[-1].url == "shared/assessmenttemplate.html?questions=HavingFun"


def test_forced_sequential_merges_the_shared_collection_into_each_item(fixture_zip):
    package = load_package(
        fixture_zip("scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip")
    )
    scos = package.scos()
    assert [s.title for s in scos] == [
        "Playing the Game",
        "Etiquette",
        "Handicapping",
        "Having Fun",
        "Quiz",
    ]
    assert scos[1].url == "shared/launchpage.html?content=etiquette"
    assert scos[1].path == "shared/launchpage.html"
    sequencings = [s.item.sequencing for s in scos]
    assert all(q is not None and q.id_ref == "common_seq_rules" for q in sequencings)
    assert all(q.has_rollup_rules and q.has_delivery_controls for q in sequencings if q)
    assert all(q.objective_measure_weight == 0 for q in sequencings if q)
    assert [q.pre_condition_actions for q in sequencings if q] == [
        (), ("disabled",), ("disabled",), ("disabled",), ("disabled",)
    ]  # fmt: skip
    etiquette = sequencings[1]
    assert etiquette is not None
    assert etiquette.global_objective_ids == (
        f"{FORCED}etiquette_satisfied",
        f"{FORCED}playing_satisfied",
    )


def test_4th_edition_rollup_weights_and_completion_globals_are_read(fixture_zip):
    package = load_package(
        fixture_zip("scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip")
    )
    items = package.items()
    assert [i.progress_weight for i in items] == [
        Decimal(w) for w in ("0.5", "0.3", "0.4", "0.3", "0.1")
    ]
    assert all(i.completion_threshold is None for i in items)  # no completedByMeasure
    playing, quiz = items[0].sequencing, items[-1].sequencing
    assert playing is not None and quiz is not None
    assert playing.global_objective_ids == (f"{FORCED}playing_completed",)
    assert playing.objective_measure_weight == 0
    assert quiz.id_ref is None and quiz.objective_measure_weight == 1
    assert quiz.pre_condition_actions == ("hiddenFromChoice", "hiddenFromChoice")


def test_remediation_package_keeps_the_hidden_wrapper_and_its_rules(fixture_zip):
    package = load_package(
        fixture_zip("scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip")
    )
    wrapper = package.items()[0]
    assert (wrapper.title, wrapper.is_visible, len(wrapper.children)) == (
        "Remediation Wrapper", False, 8
    )  # fmt: skip
    assert wrapper.sequencing is not None
    assert (wrapper.sequencing.choice, wrapper.sequencing.flow) == (False, True)
    assert wrapper.sequencing.choice_exit is False
    assert wrapper.sequencing.post_condition_actions == ("retry", "exitAll")
    assert len(package.sco_resources) == 5
    urls = [s.url for s in package.scos()]
    assert urls[4:] == [f"shared/launchpage.html?content=assessment{n}" for n in range(1, 5)]
    playing = package.scos()[0].item.sequencing
    assert playing is not None and playing.pre_condition_actions == ("skip",)
    assert playing.global_objective_ids == (f"{REMEDIATION}playing_satisfied",)
    last_test = package.scos()[-1].item.sequencing
    # The item's own sequencingRules replace the collection's (element-level override).
    assert last_test is not None
    assert (last_test.pre_condition_actions, last_test.post_condition_actions) == (
        (), ("exitParent",)
    )  # fmt: skip


def test_real_package_extracts_with_every_launch_file_in_place(fixture_zip, tmp_path):
    path = fixture_zip("scorm12/RuntimeMinimumCalls_SCORM12.zip")
    with open_archive(path) as archive:
        package = load_package(archive)
        written = archive.safe_extract(tmp_path)
    assert len(written) == 44
    assert all((tmp_path / s.path).is_file() for s in package.scos() if s.path)
