/**
 * The stand-in backend's bundled questions and answers (the project's quality dev set, written for this
 * repository). Used only by the devnet stand-in, never by a real inference node.
 */

/** One bundled question with its answer. */
export interface StandinQa {
  readonly prompt: string;
  readonly answer: string;
}

export const STANDIN_QA: readonly StandinQa[] = [
  {
    prompt: "How does photosynthesis work in plants?",
    answer:
      "Plants capture sunlight with chlorophyll in their chloroplasts and use that energy to turn carbon dioxide and water into glucose. Oxygen is released as a by-product. The light reactions make ATP and NADPH, and the Calvin cycle uses them to fix carbon into sugar.",
  },
  {
    prompt: "Why is the sky blue?",
    answer:
      "Sunlight contains all visible colours, and when it passes through the atmosphere the short blue wavelengths are scattered by gas molecules much more strongly than red ones. This Rayleigh scattering sends blue light toward our eyes from every direction of the sky. At sunset the light travels through more air, so the blue is scattered away and reds dominate.",
  },
  {
    prompt: "How do I cook rice on the stove so it is fluffy?",
    answer:
      "Rinse one cup of rice until the water runs clear, then put it in a pot with about one and a half cups of water and a pinch of salt. Bring it to a boil, cover, and turn the heat to low for 15 minutes. Take the pot off the heat and let it rest covered for ten minutes, then fluff the grains with a fork.",
  },
  {
    prompt: "What caused the fall of the Western Roman Empire?",
    answer:
      "Historians point to several causes working together: political instability and frequent civil wars, a weakened economy with heavy taxation and inflation, and pressure from migrating Germanic peoples and the Huns. The empire also relied more and more on hired barbarian troops. In 476 the Germanic leader Odoacer deposed the last western emperor, Romulus Augustulus.",
  },
  {
    prompt: "What is the difference between a list and a tuple in Python?",
    answer:
      "A list is mutable, so you can add, remove or change its elements after creating it, while a tuple is immutable once built. Tuples are written with parentheses and lists with square brackets. Because they cannot change, tuples can be used as dictionary keys and are slightly faster, whereas lists suit collections that grow.",
  },
  {
    prompt: "How much water should an adult drink each day?",
    answer:
      "Most health bodies suggest roughly two to three litres of total water a day for adults, with men needing a bit more than women. Part of that comes from food, so drinking about six to eight glasses is a reasonable guide. Needs rise with heat, exercise, pregnancy and illness, and pale yellow urine is a simple sign that you are drinking enough.",
  },
  {
    prompt: "What is compound interest?",
    answer:
      "Compound interest is interest calculated on both the original amount and the interest already added to it. Each period the balance grows, so the next period's interest is larger than the last. Over many years this snowball effect makes savings grow much faster than with simple interest, and it makes unpaid debts grow faster too.",
  },
  {
    prompt: "Why does the Nile flow north?",
    answer:
      "The Nile flows north because water runs downhill, and the land in east Africa where its sources lie is higher than the Mediterranean coast of Egypt. The White Nile starts near Lake Victoria and the Blue Nile in the Ethiopian highlands. North is simply the direction of the downward slope, so there is nothing unusual about it.",
  },
  {
    prompt: "How far away is the Moon from Earth?",
    answer:
      "The Moon orbits at an average distance of about 384,400 kilometres from Earth. Because its orbit is an ellipse, the distance varies from roughly 363,000 kilometres at perigee to about 405,000 kilometres at apogee. Light covers that gap in a little over one second.",
  },
  {
    prompt: "What is the pH of pure water and why?",
    answer:
      "Pure water at 25 degrees Celsius has a pH of 7, which is neutral. A tiny fraction of water molecules split into hydrogen ions and hydroxide ions, and in pure water the two are present in equal amounts of about ten to the minus seven moles per litre. The pH is the negative logarithm of the hydrogen ion concentration, which gives 7.",
  },
  {
    prompt: "Who wrote Pride and Prejudice and what is it about?",
    answer:
      "Jane Austen wrote Pride and Prejudice, published in 1813. It follows Elizabeth Bennet, a sharp-witted young woman, and her changing relationship with the proud Mr Darcy. The novel explores marriage, social class and how first impressions can mislead.",
  },
  {
    prompt: "What is the difference between a major and a minor scale?",
    answer:
      "A major scale follows the pattern whole, whole, half, whole, whole, whole, half steps, which gives it a bright sound. The natural minor scale lowers the third, sixth and seventh notes of the major scale, which makes it sound darker or sadder. For example, C major has no sharps or flats, while C minor has three flats.",
  },
  {
    prompt: "How is a tennis match scored?",
    answer:
      "Points in a game go love, 15, 30, 40 and then game, and at 40-40 a player must win two points in a row after deuce. Games make up a set, which is usually won by the first player to six games with a two-game lead, often with a tie-break at six all. Matches are best of three sets, or best of five in men's Grand Slam tournaments.",
  },
  {
    prompt: "What does a CPU cache do?",
    answer:
      "A CPU cache is a small amount of very fast memory close to the processor cores that keeps copies of recently used data and instructions. Reading from it takes a few cycles instead of the hundreds needed to reach main memory. Caches are arranged in levels, L1, L2 and L3, from smallest and fastest to largest and slowest.",
  },
  {
    prompt: "What causes inflation?",
    answer:
      "Inflation happens when the general level of prices rises, usually because demand grows faster than the economy can produce goods or because production costs such as energy and wages increase. Rapid growth in the money supply can also push prices up. Central banks try to keep it near a target, often two percent, by raising or lowering interest rates.",
  },
  {
    prompt: "How often should I water tomato plants?",
    answer:
      "Tomatoes do best with deep, regular watering, usually about two or three times a week, giving roughly 2 to 3 centimetres of water in total. In hot weather or in pots they may need water daily. Water at the base in the morning and keep the soil evenly moist, because uneven watering causes blossom end rot and split fruit.",
  },
  {
    prompt: "What is the difference between a misdemeanor and a felony?",
    answer:
      "In the United States a felony is a serious crime, such as murder or burglary, punishable by more than a year in prison. A misdemeanor is a less serious offence, like petty theft or simple trespass, usually punished by a fine or up to a year in a local jail. A felony conviction also carries lasting consequences such as losing the right to vote or own firearms in many states.",
  },
  {
    prompt: "What is the Pythagorean theorem?",
    answer:
      "The Pythagorean theorem says that in a right triangle the square of the hypotenuse equals the sum of the squares of the other two sides, written a squared plus b squared equals c squared. For example, a triangle with legs 3 and 4 has a hypotenuse of 5. It is used to compute distances in geometry, navigation and construction.",
  },
  {
    prompt: "What documents do I need to travel internationally?",
    answer:
      "You almost always need a valid passport, and many countries require it to be valid for at least six months after your arrival. Depending on your destination and nationality you may also need a visa or an electronic travel authorisation. Keep your return ticket, proof of accommodation and travel insurance details handy, and check vaccination requirements.",
  },
  {
    prompt: "How do I house-train a puppy?",
    answer:
      "Take the puppy outside often, especially after waking, eating and playing, and always to the same spot. Praise it or give a small treat right after it goes outside. Keep a regular feeding schedule, supervise it indoors or use a crate when you cannot watch it, and clean accidents with an enzyme cleaner without punishing the dog.",
  },
  {
    prompt: "What is the greenhouse effect?",
    answer:
      "The greenhouse effect is the warming of Earth's surface because gases such as carbon dioxide, methane and water vapour absorb infrared heat radiated by the ground and send part of it back down. Without it the planet would be around minus 18 degrees Celsius on average. Burning fossil fuels adds more of these gases, which strengthens the effect and drives global warming.",
  },
  {
    prompt: "What is the trolley problem?",
    answer:
      "The trolley problem is a thought experiment in ethics: a runaway trolley will kill five people unless you pull a lever to divert it onto a track where it will kill one person. It asks whether it is right to cause one death to prevent five. Variations, such as pushing a person off a bridge to stop the trolley, probe the difference between consequences and the means used to reach them.",
  },
  {
    prompt: "How do I reverse a string in JavaScript?",
    answer:
      "Split the string into an array of characters, reverse the array and join it again: str.split('').reverse().join(''). For text with emoji or other characters outside the basic plane, use Array.from(str).reverse().join('') so that surrogate pairs stay together.",
  },
  {
    prompt: "What is the function of red blood cells?",
    answer:
      "Red blood cells carry oxygen from the lungs to the tissues and bring carbon dioxide back to the lungs to be exhaled. They are packed with haemoglobin, an iron-containing protein that binds oxygen. Their flexible disc shape lets them squeeze through narrow capillaries, and each one lives about 120 days.",
  },
  {
    prompt: "Why was the printing press important?",
    answer:
      "Johannes Gutenberg's movable-type printing press, built around 1440, made books far cheaper and faster to produce than hand copying. Ideas spread widely and quickly, which helped drive the Reformation, the Scientific Revolution and rising literacy across Europe. It also standardised texts, so scholars in different cities could work from identical copies.",
  },
  {
    prompt: "How do I make a basic vinaigrette?",
    answer:
      "Whisk one part vinegar or lemon juice with three parts olive oil, and season with salt and pepper. A teaspoon of Dijon mustard helps the oil and vinegar emulsify, and a little honey or minced shallot adds depth. Taste and adjust the balance, then shake it in a jar before dressing the salad.",
  },
  {
    prompt: "What is the difference between speed and velocity?",
    answer:
      "Speed is how fast something moves, a scalar with only a size, such as 50 kilometres per hour. Velocity is a vector: it has both a size and a direction, such as 50 kilometres per hour heading north. A car driving around a circular track at constant speed has a changing velocity because its direction keeps changing.",
  },
  {
    prompt: "How does public-key encryption work?",
    answer:
      "Each user has a pair of mathematically linked keys: a public key that anyone may know and a private key kept secret. Data encrypted with the public key can only be decrypted with the matching private key, so anyone can send a confidential message to the owner. Signing works the other way round, proving a message came from the holder of the private key.",
  },
  {
    prompt: "What are the symptoms of dehydration?",
    answer:
      "Common signs are thirst, dark yellow urine, urinating less often, a dry mouth, tiredness and headache. More severe dehydration can cause dizziness, a rapid heartbeat, confusion and fainting. Babies may have a sunken soft spot on the head and few wet nappies, and severe cases need medical care.",
  },
  {
    prompt: "What is the difference between a stock and a bond?",
    answer:
      "A stock is a share of ownership in a company, so its value rises and falls with the company's fortunes and it may pay dividends. A bond is a loan to a company or government that pays fixed interest and returns the principal at maturity. Stocks usually offer higher long-term returns with more risk, while bonds are steadier.",
  },
  {
    prompt: "Why does Mars look red?",
    answer:
      "Mars looks red because its surface dust and rocks are rich in iron oxide, which is essentially rust. Fine dust blown around by winds covers much of the planet and also hangs in the thin atmosphere, tinting the sky a butterscotch colour. From Earth this gives Mars its reddish glow in the night sky.",
  },
  {
    prompt: "What is the difference between affect and effect?",
    answer:
      "In most uses, affect is a verb meaning to influence something, as in the weather affected my mood. Effect is usually a noun meaning the result of a change, as in the medicine had a strong effect. A handy memory aid is that affect is the action and effect is the end result.",
  },
  {
    prompt: "How does a suspension bridge hold its weight?",
    answer:
      "The deck hangs from vertical suspender cables attached to two main cables draped over tall towers. The main cables carry the load in tension and pass it to the towers, which press it down into their foundations, and to massive anchorages at each end. This lets suspension bridges span longer distances than any other type, like the Golden Gate Bridge.",
  },
  {
    prompt: "What is cognitive dissonance?",
    answer:
      "Cognitive dissonance is the mental discomfort people feel when they hold two conflicting beliefs or when their actions contradict their values. To reduce it, people often change a belief, justify the behaviour or avoid information that highlights the conflict. Leon Festinger proposed the theory in 1957.",
  },
  {
    prompt: "Why are bees important to agriculture?",
    answer:
      "Bees pollinate many crops by carrying pollen from flower to flower while they collect nectar. Roughly a third of the food we eat, including apples, almonds, berries and many vegetables, depends at least partly on animal pollination. Declining bee populations therefore threaten crop yields and food prices.",
  },
  {
    prompt: "What is the difference between RAM and storage?",
    answer:
      "RAM is fast, temporary working memory that holds the programs and data the computer is using right now, and it is cleared when the power goes off. Storage, such as an SSD or hard drive, keeps files permanently but is slower to access. More RAM lets you run more things at once, while more storage lets you keep more files.",
  },
  {
    prompt: "Who was Cleopatra?",
    answer:
      "Cleopatra VII was the last active ruler of the Ptolemaic Kingdom of Egypt, reigning from 51 to 30 BC. She was known for her intelligence and her alliances with Julius Caesar and then Mark Antony. After their defeat by Octavian at the battle of Actium she died by suicide, and Egypt became a Roman province.",
  },
  {
    prompt: "Why does ice float on water?",
    answer:
      "Ice floats because it is less dense than liquid water. When water freezes, hydrogen bonds lock the molecules into an open hexagonal lattice that takes up about nine percent more volume. This is why lakes freeze from the top down, which lets fish survive underneath in winter.",
  },
  {
    prompt: "How can I start running as a beginner?",
    answer:
      "Start with run-walk intervals, for example one minute of easy running followed by two minutes of walking, for 20 to 30 minutes three times a week. Gradually lengthen the running parts over several weeks and keep the pace slow enough to talk. Wear comfortable shoes, rest between sessions and do not increase weekly distance by more than about ten percent.",
  },
  {
    prompt: "Who painted the Mona Lisa and why is it famous?",
    answer:
      "Leonardo da Vinci painted the Mona Lisa in the early 1500s. It is celebrated for the sitter's enigmatic smile, the soft sfumato shading and the detailed landscape behind her. Its theft from the Louvre in 1911 and the worldwide publicity that followed also helped make it the most famous painting in the world.",
  },
  {
    prompt: "What is supply and demand?",
    answer:
      "Supply and demand is the model of how prices are set in a market. When demand for a good rises and supply stays the same, the price goes up; when supply rises and demand stays the same, the price falls. The market price settles where the quantity buyers want equals the quantity sellers offer.",
  },
  {
    prompt: "How do hurricanes form?",
    answer:
      "Hurricanes form over warm tropical oceans, usually above 26 degrees Celsius, where moist air rises and condenses, releasing heat that fuels more rising air. The Earth's rotation makes the system spin around a low-pressure centre. With low wind shear the storm organises into a cyclone with an eye, and it weakens once it moves over land or cooler water.",
  },
  {
    prompt: "What is recursion in programming?",
    answer:
      "Recursion is when a function calls itself to solve a smaller instance of the same problem. Every recursive function needs a base case that stops the calls, plus a step that moves toward that base case. Computing a factorial, where n factorial is n times the factorial of n minus one, is a classic example.",
  },
  {
    prompt: "Are eggs healthy to eat?",
    answer:
      "For most people eggs are a nutritious food: they provide high-quality protein, vitamins B12 and D, choline and healthy fats for about 70 calories each. Research suggests that eating up to one egg a day does not raise heart disease risk in healthy people. How you cook them and what you eat them with matter more than the eggs themselves.",
  },
  {
    prompt: "What causes earthquakes?",
    answer:
      "Most earthquakes happen when tectonic plates, the large slabs of Earth's crust, grind past, pull apart or push into each other. Stress builds along faults until the rock suddenly slips, releasing energy as seismic waves that shake the ground. Volcanic activity and human activities such as mining can also trigger smaller quakes.",
  },
  {
    prompt: "How does an electric car work?",
    answer:
      "An electric car stores energy in a large battery pack and uses it to power one or more electric motors that turn the wheels. There is no gearbox with many gears or engine burning fuel. When the driver brakes, the motor works as a generator and recharges the battery, which is called regenerative braking. You charge it by plugging into a charger.",
  },
  {
    prompt: "What is a startup's minimum viable product?",
    answer:
      "A minimum viable product is the simplest version of a product that still solves the core problem for early customers. Startups release it quickly to test whether people actually want it and to learn from real feedback before spending more. The idea was popularised by Eric Ries in The Lean Startup.",
  },
  {
    prompt: "Why do we need sleep?",
    answer:
      "Sleep lets the body and brain recover: it consolidates memories, clears waste products from the brain, repairs tissues and regulates hormones that control appetite and growth. Adults generally need seven to nine hours a night. Chronic lack of sleep harms concentration, mood and the immune system and raises the risk of obesity and heart disease.",
  },
  {
    prompt: "What is a prime number?",
    answer:
      "A prime number is a whole number greater than 1 whose only divisors are 1 and itself. The first few primes are 2, 3, 5, 7, 11 and 13, and 2 is the only even prime. Every whole number greater than 1 can be written as a product of primes in exactly one way.",
  },
  {
    prompt: "What is DNS?",
    answer:
      "DNS, the Domain Name System, translates human-readable names like example.org into the numeric IP addresses computers use to reach each other. When you visit a site, your device asks a resolver, which queries root, top-level domain and authoritative name servers in turn. Answers are cached for a while so repeated lookups are fast.",
  },
  {
    prompt: "What is a food chain?",
    answer:
      "A food chain shows how energy passes from one living thing to another through eating. It starts with producers such as plants, which make food from sunlight, then herbivores that eat the plants, and carnivores that eat the herbivores. Decomposers like fungi and bacteria break down dead matter and return nutrients to the soil.",
  },
  {
    prompt: "How do vaccines work?",
    answer:
      "A vaccine exposes the immune system to a harmless piece or weakened form of a germ, such as a protein or an inactivated virus. The body responds by making antibodies and memory cells that recognise it. If the real germ infects you later, the immune system reacts quickly and strongly, preventing or weakening the illness.",
  },
  {
    prompt: "What are the main features of Gothic architecture?",
    answer:
      "Gothic architecture, which flourished in Europe from the 12th to the 16th century, is known for pointed arches, ribbed vaults and flying buttresses. These let builders raise tall, thin walls filled with large stained-glass windows. Notre-Dame de Paris and Chartres Cathedral are famous examples.",
  },
  {
    prompt: "How do I unclog a kitchen sink without chemicals?",
    answer:
      "First try pouring a kettle of boiling water down the drain. If that fails, use a cup-style plunger with some water in the sink and plunge firmly several times. You can also pour half a cup of baking soda followed by a cup of vinegar, wait fifteen minutes and flush with hot water, or remove and clean the U-shaped trap under the sink.",
  },
  {
    prompt: "How should I prepare for a job interview?",
    answer:
      "Research the company, its products and the role, and prepare examples from your experience that show the skills in the job description, using the situation, task, action and result format. Practise answers to common questions aloud and prepare a few questions of your own. Plan your outfit and route, and arrive a little early.",
  },
  {
    prompt: "What does aperture mean in photography?",
    answer:
      "Aperture is the size of the opening in the lens that lets light reach the sensor, measured in f-numbers such as f/1.8 or f/16. A smaller f-number means a wider opening, more light and a shallower depth of field with a blurred background. A larger f-number gives a smaller opening and keeps more of the scene in focus.",
  },
  {
    prompt: "Why is the ocean salty?",
    answer:
      "Rain slowly weathers rocks on land, dissolving minerals such as sodium and chloride that rivers carry to the sea. When seawater evaporates, the water leaves but the salts stay behind, so they accumulate over millions of years. Hydrothermal vents on the sea floor add more dissolved minerals, and the average salinity is about 3.5 percent.",
  },
  {
    prompt: "What is the Socratic method?",
    answer:
      "The Socratic method is a way of teaching by asking a series of probing questions rather than giving answers. The teacher questions a student's beliefs to expose contradictions and lead them to think more clearly and reach conclusions on their own. It is named after the Greek philosopher Socrates and is still used in law schools.",
  },
  {
    prompt: "How do solar panels generate electricity?",
    answer:
      "Solar panels are made of photovoltaic cells, usually of silicon. When sunlight hits a cell, photons knock electrons loose, and an electric field built into the cell pushes them to flow as direct current. An inverter converts this into alternating current for home use or the grid.",
  },
  {
    prompt: "How many bones are in the human body?",
    answer:
      "An adult human skeleton usually has 206 bones. Babies are born with around 270 to 300, but many of them fuse together as the child grows, for example in the skull and the base of the spine. The smallest bone is the stapes in the middle ear, and the longest is the femur in the thigh.",
  },
  {
    prompt: "How many languages are spoken in the world?",
    answer:
      "Around 7,000 languages are spoken today, according to catalogues such as Ethnologue. The number keeps falling as small languages lose their last speakers, and about 40 percent are considered endangered. Just a few dozen languages, such as Mandarin, Spanish and English, are spoken by more than half of the world's population.",
  },
  {
    prompt: "How can I create a strong password?",
    answer:
      "Use a long passphrase of at least 12 to 16 characters, such as several random unrelated words, and never reuse it across sites. Avoid personal details like names or birthdays. A password manager can generate and store unique strong passwords for you, and turning on two-factor authentication adds another layer of protection.",
  },
  {
    prompt: "Who was Zeus in Greek mythology?",
    answer:
      "Zeus was the king of the gods in Greek mythology, ruling from Mount Olympus as god of the sky, thunder and justice. He was the son of the Titans Cronus and Rhea and led his siblings in overthrowing them. He is often shown with a thunderbolt and an eagle, and he had many children, including Athena, Apollo and Hercules.",
  },
  {
    prompt: "How often should I change my car's oil?",
    answer:
      "Most modern cars using synthetic oil need an oil change every 8,000 to 16,000 kilometres or about once a year, whichever comes first. Older cars or those using conventional oil may need it every 5,000 kilometres. Check your owner's manual, because the manufacturer's interval depends on the engine and driving conditions.",
  },
  {
    prompt: "What is the difference between mean and median?",
    answer:
      "The mean is the average: add all the values and divide by how many there are. The median is the middle value when the numbers are sorted. The median is less affected by extreme values, so for skewed data such as incomes it often describes a typical case better than the mean.",
  },
];
