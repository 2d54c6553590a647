import { defineStore } from 'pinia';

/** The application's sections, in the order of a researcher's work. */
export const SECTIONS = [
  { id: 'datasets', label: 'Datasets', hint: 'Import scans and labels, check them, see the fingerprint and plan' },
  { id: 'search', label: 'Search', hint: 'Choose a search method and a budget, and start an architecture search' },
  { id: 'monitor', label: 'Monitor', hint: 'Follow running searches: loss, Dice, controller reward, leaderboard, ETA' },
  { id: 'review', label: 'Review', hint: 'Compare predicted masks with ground truth, worst cases first' },
  { id: 'models', label: 'Models', hint: 'Export the final model to ONNX with its preprocessing metadata' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

export const isSectionId = (value: unknown): value is SectionId => SECTIONS.some((section) => section.id === value);

/** The section a location hash names (`#monitor`), or null: a reload opens the section the user was on. */
export function sectionFromHash(hash: string): SectionId | null {
  const id = hash.replace(/^#/, '');
  return isSectionId(id) ? id : null;
}

/** The page's address, where there is a page (the stores also run in Node tests: no DOM types here). */
const location = (): { hash: string } | null => (globalThis as { location?: { hash: string } }).location ?? null;

export const useNavigationStore = defineStore('navigation', {
  state: () => ({
    current: sectionFromHash(location()?.hash ?? '') ?? ('datasets' as SectionId),
    /**
     * The case the Review section shows without a model (image and ground truth), set by the Datasets
     * section's 'Open in viewer'; a case id of the open workspace's dataset, or null.
     */
    reviewCase: null as string | null,
  }),
  getters: {
    section: (state) => SECTIONS.find((section) => section.id === state.current) ?? SECTIONS[0],
  },
  actions: {
    open(id: SectionId) {
      this.current = id;
      const page = location();
      if (page && page.hash !== `#${id}`) page.hash = id;
    },

    /** Opens a case of the dataset in the Review section's viewer. */
    openCase(caseId: string) {
      this.reviewCase = caseId;
      this.open('review');
    },
  },
});
